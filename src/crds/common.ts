/** Schema pieces shared by several CRDs. */
import { s, type NodeOptions } from './schema';

/** A Kubernetes label selector (`matchLabels` + `matchExpressions`). */
export function labelSelector(description: string, options: NodeOptions = {}) {
  return s.object(
    {
      matchLabels: s.optional(s.freeform<Record<string, string>>({ description: 'Labels that must all match.' })),
      matchExpressions: s.optional(
        s.array(
          s.object({
            key: s.string({ description: 'The label key.' }),
            operator: s.enum(['In', 'NotIn', 'Exists', 'DoesNotExist'] as const, {
              description: 'How the key relates to the values.',
            }),
            values: s.optional(s.array(s.string(), { description: 'Values for In and NotIn.' })),
          }),
          { description: 'Set-based requirements that must all match.' },
        ),
      ),
    },
    { ...options, description },
  );
}
