import { gatewayApiCrdsChart } from '../../src/gateway-api/chart';
import { describeChart } from '../support/chart-suite';

describeChart(gatewayApiCrdsChart, {
  // the chart has no values: one random run is the defaults again
  randomRuns: 1,
  byteIdenticalDefaults: true,
  badValues: [
    { name: 'an unknown key', values: { version: 'v1.1.0' }, key: 'version' },
    { name: 'a channel switch it does not have', values: { channel: 'experimental' }, key: 'channel' },
    { name: "linkerd-crds' switch given here", values: { installGatewayAPI: true }, key: 'installGatewayAPI' },
    { name: 'a map of options', values: { gatewayAPI: { version: 'v1.1.0' } }, key: 'gatewayAPI' },
    { name: 'labels for the CRDs', values: { labels: { team: 'mesh' } }, key: 'labels' },
    { name: 'annotations for the CRDs', values: { annotations: { a: 'b' } }, key: 'annotations' },
    { name: 'a namespace', values: { namespace: 'gateway' }, key: 'namespace' },
    { name: 'an enabled switch', values: { enabled: false }, key: 'enabled' },
    { name: 'a list of CRDs to pick', values: { crds: ['httproutes'] }, key: 'crds' },
    { name: 'a number', values: { replicas: 1 }, key: 'replicas' },
  ],
});
