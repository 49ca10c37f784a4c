/** Values keys every Linkerd extension chart shares. */
import { Type, type TSchema } from '@sinclair/typebox';
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

/** `namespaceMetadata.image`: upstream's extension-init image of the namespace-metadata Job, with the chart's own pull-policy key. */
export const namespaceMetadataImage = <P extends TSchema>(pullPolicy: P) =>
  val.object(
    {
      registry: val.imageRepository('cr.l5d.io/linkerd', { description: 'Registry of the namespace-metadata image.' }),
      name: val.imageRepository('extension-init', { description: 'Name of the namespace-metadata image.' }),
      tag: val.imageTag('v0.1.12', { description: 'Tag of the namespace-metadata image.' }),
      pullPolicy,
    },
    { description: 'The namespace-metadata image.' },
  );
