import { authorizationPolicyCrd } from './authorization-policy';
import type { CrdDefinition } from './definition';
import { egressNetworkCrd } from './egress-network';
import { externalWorkloadCrd } from './external-workload';
import { httpLocalRateLimitPolicyCrd } from './http-local-ratelimit-policy';
import { httpRouteCrd } from './httproute';
import { meshTlsAuthenticationCrd } from './meshtls-authentication';
import { networkAuthenticationCrd } from './network-authentication';
import { serverCrd } from './server';
import { serverAuthorizationCrd } from './server-authorization';
import { serviceProfileCrd } from './serviceprofile';

/** Every CRD of the linkerd-crds chart, in the order upstream's chart renders them. */
export const allCrds: CrdDefinition[] = [
  authorizationPolicyCrd,
  egressNetworkCrd,
  httpLocalRateLimitPolicyCrd,
  httpRouteCrd,
  meshTlsAuthenticationCrd,
  networkAuthenticationCrd,
  serverAuthorizationCrd,
  serverCrd,
  serviceProfileCrd,
  externalWorkloadCrd,
].filter((d) => d !== undefined);
