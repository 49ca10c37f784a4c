/** The gateway-api-crds chart as a construct for cdk8s apps. */
import type { Construct } from 'constructs';
import { ConcreteChart } from '../helm/chart';
import { gatewayApiCrdsChart, type gatewayApiCrdsValues } from './chart';

/**
 * The Gateway API CRDs (standard channel) at the release pinned for this Linkerd; put them
 * in the app before the control plane:
 *
 *     new GatewayApiCrds(app, 'gateway-api-crds');
 */
export class GatewayApiCrds extends ConcreteChart<typeof gatewayApiCrdsValues> {
  constructor(scope: Construct, id: string) {
    super(scope, id, gatewayApiCrdsChart, {}, { name: id, namespace: 'default' });
  }
}
