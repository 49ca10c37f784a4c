/** Charts only the tests build (engine and proxy harnesses): the prose a chart needs, filled in. */
import type { TObject } from '@sinclair/typebox';
import type { ChartDefinition } from '../../src/helm/chart';

export function testChart<S extends TObject>(def: Pick<ChartDefinition<S>, 'name' | 'description' | 'values' | 'build'> & Partial<ChartDefinition<S>>): ChartDefinition<S> {
  return { keywords: ['test'], valuesHeader: `${def.description} (tests only)`, readme: 'Test only.', notes: () => ['Test chart.\n'], ...def };
}
