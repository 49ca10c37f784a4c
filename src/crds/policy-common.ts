/** Schema pieces shared by the policy.linkerd.io CRDs. */
import { s } from './schema';

/** DNS-subdomain API group, or empty for the core group. */
export const groupName = s.string({
  description: 'API group of the referent (empty for the core group).',
  maxLength: 253,
  pattern: '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
});
export const kindName = s.string({
  description: 'Kind of the referent.',
  maxLength: 63,
  minLength: 1,
  pattern: '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$',
});
export const objectName = s.string({ description: 'Name of the referent.', maxLength: 253, minLength: 1 });
export const namespaceName = s.string({ description: 'Namespace of the referent (default: the same namespace).', maxLength: 253 });

/** Schemas of the parts of an object reference. */
export const ref = { group: groupName, kind: kindName, name: objectName, namespace: namespaceName };

/** A network by CIDR, with exceptions. */
export const network = s.object({
  cidr: s.string({ description: 'An address range in CIDR notation (or a single IP).' }),
  except: s.optional(s.array(s.string(), { description: 'Ranges inside the CIDR that are excluded.' })),
});

/** Fields of a Kubernetes `metav1.Condition`, as controllers report it in `status.conditions`. */
const conditionFields = {
  lastTransitionTime: s.optional(s.string({ description: 'When the status last changed.', format: 'date-time' })),
  status: s.optional(s.enum(['True', 'False', 'Unknown'] as const, { description: 'Whether the condition holds.' })),
  type: s.optional(
    s.string({
      description: 'The condition type, CamelCase or a qualified name.',
      maxLength: 316,
      pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    }),
  ),
  reason: s.optional(
    s.string({ description: 'A machine-readable reason.', maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' }),
  ),
  message: s.optional(s.string({ description: 'A human-readable explanation.', maxLength: 32768 })),
};

/**
 * `status.conditions` as upstream declares it: `required` sits on the list, not on its items,
 * so the API server does not enforce it (kept as is: this is the controller's field).
 * `withProbeTime` adds `lastProbeTime` (ExternalWorkload).
 */
export function conditions(withProbeTime = false) {
  const item = withProbeTime
    ? s.object({ lastProbeTime: s.optional(s.string({ description: 'When the condition was last probed.', format: 'date-time' })), ...conditionFields })
    : s.object(conditionFields);
  return s.array(item, { description: 'Conditions reported by the controller.', required: ['status', 'type'] });
}
