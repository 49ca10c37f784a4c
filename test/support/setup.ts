/** Run before every test file: loads the Kubernetes 1.35 models (an ES module, loaded asynchronously). */
import { beforeAll } from 'vitest';
import { loadKube135 } from './kube-schema-135';

beforeAll(async () => {
  await loadKube135();
});
