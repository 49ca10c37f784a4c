import { linkerdCrdsChart } from '../../src/crds/chart';
import { describeChart } from '../support/chart-suite';

describeChart(linkerdCrdsChart, {
  presets: {
    'linkerdVersion set': { linkerdVersion: 'edge-26.9.1' },
    'cliVersion set, as linkerd install does': { cliVersion: 'linkerd/cli edge-26.8.3' },
  },
  randomRuns: 100,
  byteIdenticalDefaults: true,
  badValues: [
    { name: 'bundling Gateway API CRDs is refused', values: { installGatewayAPI: true }, key: 'installGatewayAPI' },
    { name: 'a string for a boolean', values: { installGatewayAPI: 'false' }, key: 'installGatewayAPI' },
    { name: 'a list for a boolean', values: { installGatewayAPI: [false] }, key: 'installGatewayAPI' },
    { name: 'Gateway HTTPRoutes refused', values: { enableHttpRoutes: true }, key: 'enableHttpRoutes' },
    { name: 'a number for a boolean', values: { enableTlsRoutes: 1 }, key: 'enableTlsRoutes' },
    { name: '"yes" for a boolean', values: { enableTcpRoutes: 'yes' }, key: 'enableTcpRoutes' },
    { name: 'a map for a boolean', values: { enableTcpRoutes: {} }, key: 'enableTcpRoutes' },
    { name: 'an unknown key', values: { foo: 1 }, key: 'foo' },
    { name: 'a misspelt key', values: { installGatewayApi: false }, key: 'installGatewayApi' },
    { name: 'an unknown nested key', values: { gatewayAPI: { install: true } }, key: 'gatewayAPI' },
    { name: "a control-plane key given to the CRDs chart", values: { proxy: { logLevel: 'debug' } }, key: 'proxy' },
    { name: 'an empty linkerdVersion', values: { linkerdVersion: '' }, key: 'linkerdVersion' },
    { name: 'a number for cliVersion', values: { cliVersion: 2 }, key: 'cliVersion' },
  ],
});
