/** Values keys every Linkerd extension chart shares. */
import { Type } from '@sinclair/typebox';
import { val } from '../values/model';

const QUANTITY = '^$|^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$';

/** `proxy.resources`: the resources of the proxy injected into a component (upstream leaves it empty). */
export const proxyOverride = (what: string) => {
  const pair = Type.Object({ limit: Type.Optional(Type.String({ pattern: QUANTITY })), request: Type.Optional(Type.String({ pattern: QUANTITY })) }, { additionalProperties: false });
  return val.nullable(
    Type.Object({ resources: Type.Optional(Type.Object({ cpu: Type.Optional(pair), memory: Type.Optional(pair) }, { additionalProperties: false })) }, { additionalProperties: false }),
    null,
    { description: `Settings of the proxy injected into the ${what} (resources: config.linkerd.io/proxy-* annotations).` },
  );
};

