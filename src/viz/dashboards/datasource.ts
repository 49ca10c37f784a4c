/**
 * The Prometheus datasource the dashboards query and the bundled Grafana provisions (a module of
 * its own: the Grafana deployment reads it without loading the dashboards' SDK).
 */

/** uid of the Prometheus datasource the bundled Grafana provisions: the dashboards' variable defaults to it. */
export const PROVISIONED_DATASOURCE_UID = 'prometheus';
