import { gatewayApiCrdsChart } from '../../src/gateway-api/chart';
import { describeChart } from '../support/chart-suite';

describeChart(gatewayApiCrdsChart, {
  // the chart has no values: one random run is the defaults again
  randomRuns: 1,
  byteIdenticalDefaults: true,
  badValues: [
    { name: 'an unknown key', values: { version: 'v1.1.0' }, key: 'version' },
    { name: 'a channel switch it does not have', values: { channel: 'experimental' }, key: 'channel' },
  ],
});
