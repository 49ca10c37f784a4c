/** Values keys every Linkerd extension chart shares. */
import { Type } from '@sinclair/typebox';
import { quantitySchema, val } from '../values/model';


/** `proxy.resources`: the resources of the proxy injected into a component (upstream leaves it empty). */
export const proxyOverride = (what: string) => {
  const q = () => Type.Optional(Type.Unsafe<string | number>(quantitySchema(true)));
  const pair = Type.Object({ limit: q(), request: q() }, { additionalProperties: false });
  return val.nullable(
    Type.Object({ resources: Type.Optional(Type.Object({ cpu: Type.Optional(pair), memory: Type.Optional(pair) }, { additionalProperties: false })) }, { additionalProperties: false }),
    null,
    { description: `Settings of the proxy injected into the ${what} (resources: config.linkerd.io/proxy-* annotations).` },
  );
};

