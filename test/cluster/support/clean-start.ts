/**
 * vitest setupFiles of the cluster suite: every suite file starts on a cluster holding none of
 * the CRDs the suites install, whatever the suite before it left (the suites share one cluster).
 */
import { beforeAll } from 'vitest';
import { removeLeftoverCrds } from './cluster';

beforeAll(() => removeLeftoverCrds(), 240_000);
