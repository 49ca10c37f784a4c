/** The Prometheus dashboard (`linkerd-prometheus`): the viz Prometheus itself (its `prometheus` scrape job) and its scrapes. */
import { linkerdDashboard, processPanels, promql, seriesName, statPanel, timeseriesPanel, type Matchers } from './builders';

/** Builds the Prometheus dashboard. */
export function prometheusDashboard() {
  const self: Matchers = ['job="prometheus"'];
  const byJob = ['job'];
  return linkerdDashboard({
    uid: 'linkerd-prometheus',
    title: 'Linkerd Prometheus',
    description: 'The viz Prometheus: its scrape targets, series, samples, queries, storage and resources.',
    variables: [],
    from: 'now-1h',
    rows: [
      [
        'Overview',
        [
          statPanel('Targets up', 'short', promql.gauge('up', [])),
          statPanel('Targets down', 'short', 'count(up == 0) or vector(0)'),
          statPanel('Head series', 'short', promql.gauge('prometheus_tsdb_head_series', self)),
          statPanel('Samples appended', 'short', promql.counterRate('prometheus_tsdb_head_samples_appended_total', self)),
        ],
      ],
      [
        'Scrapes',
        [
          timeseriesPanel('Targets up', 'short', [[promql.gauge('up', [], byJob), seriesName(byJob)]]),
          timeseriesPanel('Scrape duration (max)', 's', [[promql.gauge('scrape_duration_seconds', [], byJob, 'max'), seriesName(byJob)]]),
          timeseriesPanel('Samples scraped', 'short', [[promql.gauge('scrape_samples_scraped', [], byJob), seriesName(byJob)]]),
        ],
      ],
      [
        'Storage and queries',
        [
          timeseriesPanel('Head series', 'short', [[promql.gauge('prometheus_tsdb_head_series', self), 'series']]),
          timeseriesPanel('Samples appended', 'short', [[promql.counterRate('prometheus_tsdb_head_samples_appended_total', self), 'samples/s']]),
          timeseriesPanel('Query duration (p99)', 's', [[promql.gauge('prometheus_engine_query_duration_seconds', [...self, 'quantile="0.99"'], ['slice'], 'max'), seriesName(['slice'])]]),
          timeseriesPanel('Compactions', 'short', [
            [promql.counterRate('prometheus_tsdb_compactions_total', self), 'compactions/s'],
            [promql.counterRate('prometheus_tsdb_compactions_failed_total', self), 'failed/s'],
          ]),
          timeseriesPanel('Block storage', 'bytes', [[promql.gauge('prometheus_tsdb_storage_blocks_bytes', self), 'blocks']]),
        ],
      ],
      ['Resources', processPanels(self, [])],
    ],
  });
}
