import { labelSelector } from './common';
import { type CrdDefinition, crdNames } from './definition';
import { network } from './policy-common';
import { resourceSchema, s, type Static } from './schema';

const dnsLabel = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

// v1alpha1 and v1beta1 have the same schema; v1beta1 adds a printer column.
const schema = resourceSchema({
  spec: s.object(
    {
      server: s.object(
        {
          name: s.optional(s.string({ description: 'A Server in the same namespace, by name.', pattern: dnsLabel })),
          selector: s.optional(labelSelector('Servers in the same namespace, by label.')),
        },
        { description: 'The Servers this authorization applies to: give exactly one of name and selector.', oneOf: [{ required: ['name'] }, { required: ['selector'] }] },
      ),
      client: s.object(
        {
          networks: s.optional(s.array(network, { description: 'Networks that clients may connect from (default: all).' })),
          unauthenticated: s.optional(s.boolean({ description: 'Admits clients without a mesh identity.' })),
          meshTLS: s.optional(
            s.object(
              {
                unauthenticatedTLS: s.optional(s.boolean({ description: 'Admits TLS clients without a validated mesh identity.' })),
                identities: s.optional(
                  s.array(s.string({ pattern: '^(\\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' }), {
                    description: 'Mesh identities admitted (`*` wildcards a leading label).',
                  }),
                ),
                serviceAccounts: s.optional(
                  s.array(
                    s.object({
                      name: s.string({ description: 'ServiceAccount name.', pattern: dnsLabel }),
                      namespace: s.optional(s.string({ description: 'ServiceAccount namespace (default: the same).', pattern: dnsLabel })),
                    }),
                    { description: 'ServiceAccounts whose identities are admitted.' },
                  ),
                ),
              },
              { description: 'Clients authenticated by mesh TLS.' },
            ),
          ),
        },
        { description: 'Which clients are admitted.' },
      ),
    },
    { description: 'Which clients may reach which Servers.' },
  ),
});

export type ServerAuthorizationSpec = Static<typeof schema>['spec'];

export const serverAuthorizationCrd: CrdDefinition = {
  group: 'policy.linkerd.io',
  ...crdNames('ServerAuthorization'),
  shortNames: ['saz', 'serverauthz', 'srvauthz'],
  scope: 'Namespaced',
  description: 'Authorizes clients to reach Servers (the older form of AuthorizationPolicy).',
  file: 'policy/server-authorization.yaml',
  versions: [
    {
      name: 'v1alpha1',
      served: true,
      storage: false,
      deprecated: true,
      deprecationWarning: 'policy.linkerd.io/v1alpha1 ServerAuthorization is deprecated; use policy.linkerd.io/v1beta1 ServerAuthorization',
      schema,
    },
    {
      name: 'v1beta1',
      served: true,
      storage: true,
      schema,
      additionalPrinterColumns: [{ name: 'Server', type: 'string', description: 'The Server access is granted to', jsonPath: '.spec.server.name' }],
    },
  ],
};
