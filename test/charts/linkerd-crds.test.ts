import { linkerdCrdsChart } from '../../src/crds/chart';
import { describeChart } from '../support/chart-suite';

describeChart(linkerdCrdsChart, {
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
  ],
});
