/**
 * A small chart that uses every construct kind of the engine, for the engine's own tests.
 */
import { Type } from '@sinclair/typebox';
import { SNAKE_SAFE_KEY } from '../../src/helm/expr';
import { Component, K8sObject } from '../../src/helm/object';
import { val } from '../../src/values/model';
import { testChart } from './test-chart';

export const engineValues = val.object(
  {
    name: val.string('demo', { description: 'Object name.', pattern: '^[a-z][a-z0-9-]{0,30}$' }),
    replicas: val.integer(1, { description: 'Replicas.', minimum: 0, maximum: 1000 }),
    bigNumber: val.integer(10000000, { description: 'A large integer (Helm must not print it in exponent form).', minimum: 0 }),
    ratio: Type.Number({ description: 'A float.', default: 0.25, minimum: 0, maximum: 1 }),
    enabled: val.boolean(true, { description: 'Creates the optional ConfigMap.' }),
    logLevel: val.enum(['debug', 'info', 'warn'] as const, 'info', { description: 'Log level.' }),
    priorityClassName: val.string('', { description: 'Optional field: absent when empty.' }),
    note: val.string('uses {{ braces }} and "quotes" and a: colon', { description: 'A string with template-like text.' }),
    image: val.object(
      {
        registry: val.string('cr.l5d.io/linkerd', { description: 'Registry.' }),
        name: val.string('proxy', { description: 'Image name.' }),
        tag: val.string('edge-26.8.3', { description: 'Tag.' }),
        port: val.integer(4191, { description: 'A port embedded in a string.', minimum: 1, maximum: 65535 }),
      },
      { description: 'Image reference parts.' },
    ),
    labels: val.stringMap({ app: 'demo' }, { description: 'Extra labels (a map passed through).' }),
    annotations: val.stringMap({}, { description: 'Optional annotations: absent when empty.' }),
    extraArgs: val.list(Type.String(), [], { description: 'Arguments appended to the fixed ones.' }),
    tolerations: val.freeform<unknown[]>([], { description: 'Passed through with toYaml.', type: 'array' }),
    resources: val.freeform({}, { description: 'A structured value passed through.' }),
    ha: val.boolean(false, { description: 'High availability: derives replicas.' }),
    attributes: val.record('^[a-z][a-z0-9._/-]*$', Type.String({ pattern: '^[^\\x00-\\x1f\\x7f]*$' }), { 'k8s.pod.ip': '$(_pod_ip)', team: 'mesh' }, {
      description: 'Rendered one per line as key=value.',
    }),
    flagged: val.unset(Type.Boolean({ description: 'A key that is usually absent (hasKey).' }), true),
    tuning: Type.Record(
      Type.String({ pattern: SNAKE_SAFE_KEY }),
      Type.Record(Type.String({ pattern: SNAKE_SAFE_KEY }), Type.Integer({ minimum: 0, maximum: 1_000_000 })),
      { description: 'Nested maps ranged over into env entries.', default: { server: { keepAliveInterval: 10, http2: 2 } }, additionalProperties: false },
    ),
    workers: val.list(
      Type.Object(
        {
          name: Type.String({ pattern: '^[a-z][a-z0-9-]{0,20}$' }),
          replicas: Type.Optional(Type.Integer({ minimum: 0, maximum: 9 })),
          probe: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()), port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })) }, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
      [{ name: 'one' }, { name: 'two', replicas: 0, probe: { enabled: false } }],
      { description: 'Objects per item, with per-item overrides of workerDefaults (each, dig).' },
    ),
    workerDefaults: val.object(
      {
        replicas: val.integer(2, { description: 'Replicas of a worker.', minimum: 0 }),
        probe: val.object({ enabled: val.boolean(true, { description: 'A probe Service per worker.' }), port: val.integer(4191, { description: 'Probe port.', minimum: 1, maximum: 65535 }) }, { description: 'Probe.' }),
      },
      { description: 'What a worker gets unless its item says otherwise.' },
    ),
  },
  { description: 'Engine test values.' },
);

export const engineChart = testChart({
  name: 'engine-test',
  description: 'Exercises every construct kind of the template engine.',
  values: engineValues,
  notes: (v) => ['Installed into ', v.release.namespace, ' as ', v.release.name, '.\nLiteral {{ braces }} stay.\n'],
  build(chart, v) {
    const main = new Component(chart, 'main', 'main.yaml');
    new K8sObject(main, 'cm', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: v.ref('name'),
        namespace: v.release.namespace,
        labels: { 'app.kubernetes.io/managed-by': v.release.service, 'helm.sh/chart': v.fmt`${v.chart.name}-${v.chart.version}` },
        annotations: v.optional('annotations'),
      },
      data: {
        image: v.fmt`${v.ref('image.registry')}/${v.ref('image.name')}:${v.ref('image.tag')}`,
        addr: v.fmt`0.0.0.0:${v.ref('image.port')}`,
        level: v.ref('logLevel'),
        note: v.ref('note'),
        fixed: 'a {{ literal }} value',
        ...v.fields('ha', { mode: 'ha' }, { mode: 'single' }),
        ...v.fields(v.eq(v.ref('logLevel'), 'debug'), { debug: 'yes' }),
        flagged: v.ternary(v.isSet(v.ref('flagged')), 'set', 'unset'),
        fallback: v.orElse(v.ref('priorityClassName'), 'none'),
        trimmed: v.trim(v.ref('note')),
        ratioText: v.fmt`ratio=${v.ref('ratio')}`,
        noteSha256: v.sha256sum(v.ref('note')),
        noteBase64: v.b64enc(v.ref('note')),
        attributes: v.lines(v.ref('attributes'), (k, val) => v.fmt`${k}=${val}`),
        ...v.fields(v.ge(v.ref('replicas'), 2), { scaled: 'yes' }),
        ...v.fields(v.lt(v.ref('bigNumber'), v.ref('replicas')), { inverted: 'yes' }),
      },
    });
    new K8sObject(main, 'deploy', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: v.ref('name'), labels: v.ref('labels') },
      spec: {
        replicas: v.ternary('ha', 3, v.ref('replicas')),
        selector: { matchLabels: { app: v.ref('name') } },
        template: {
          metadata: { labels: { app: v.ref('name') } },
          spec: {
            priorityClassName: v.optional('priorityClassName'),
            tolerations: v.ref('tolerations'),
            containers: [
              {
                name: 'main',
                image: v.fmt`${v.ref('image.registry')}/${v.ref('image.name')}:${v.ref('image.tag')}`,
                args: ['--level', v.ref('logLevel'), ...v.splice(v.ref('extraArgs'))],
                env: [
                  { name: 'BIG', value: v.fmt`${v.ref('bigNumber')}` },
                  v.maybe('ha', { name: 'HA', value: 'true' }),
                  ...v.entries(v.ref('tuning'), (scope, params) =>
                    v.entries(params, (param, value) => ({ name: v.fmt`TUNE_${v.upper(v.snakecase(scope))}_${v.upper(v.snakecase(param))}`, value: v.fmt`${value}` }), 'integer'),
                  ),
                  ...v.entries(v.ref('labels'), (key, value) => ({ name: v.fmt`LABEL_${v.upper(key)}`, value })),
                ],
                resources: v.ref('resources'),
              },
            ],
          },
        },
        minReadySeconds: v.ref('bigNumber'),
        progressDeadlineSeconds: v.ref('replicas'),
      },
      ratio: v.ref('ratio'),
      emptyWhenAllConditional: { ...v.fields('ha', { a: 'b' }) },
      listAllConditional: [v.maybe('ha', 'x'), ...v.splice(v.ref('extraArgs'))],
      merged: { Fixed: 'x', ...v.spreadMap(v.ref('annotations')) },
      mergedOnly: { ...v.spreadMap(v.ref('annotations')) },
    });
    const workers = new Component(chart, 'workers', 'workers.yaml');
    v.each('workers', workers, (scope, w) => {
      const name = v.fmt`worker-${v.get(w, 'name', 'string')}`;
      new K8sObject(scope, 'config', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: v.release.namespace, labels: { release: v.release.name, ...v.spreadMap(v.ref('labels')) } },
        data: { replicas: v.fmt`${v.dig(w, ['replicas'], v.ref('workerDefaults.replicas'))}`, image: v.fmt`${v.ref('image.registry')}/${v.ref('image.name')}` },
      });
      v.when(v.and(v.dig(w, ['probe', 'enabled'], v.ref('workerDefaults.probe.enabled')), 'enabled'), () => {
        new K8sObject(scope, 'probe', {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: v.fmt`${name}-probe` },
          spec: { ports: [{ port: v.dig(w, ['probe', 'port'], v.ref('workerDefaults.probe.port')) }] },
        });
      });
    });
    // Shared definitions (templates/_shared.tpl), used by two objects at different depths with
    // their own arguments: a container, list items and a field's value; a bound value; a long line.
    const shared = new Component(chart, 'shared', 'shared.yaml');
    const image = v.section('image');
    const sidecar = (role: string, port: number, level: string) =>
      v.partial('shared.sidecar', { role, port, level, image }, (a) => {
        const tag = v.bind('tag', v.orElse(a.image.tag, 'latest'));
        return {
          name: v.fmt`sidecar-${a.role}`,
          image: v.fmt`${a.image.registry}/${a.image.name}:${tag}`,
          args: [v.fmt`--port=${a.port}`, v.fmt`--tag=${tag}`, ...v.splice(v.ref('extraArgs'))],
          env: [
            v.maybe(v.eq(a.level, 'debug'), { name: 'DEBUG', value: v.fmt`${a.role} at ${tag}` }),
            { name: 'ATTRIBUTES', value: v.lines(v.ref('attributes'), (k, val) => v.fmt`${k}=${val}`) },
            { name: 'LONG', value: v.fmt`${'a long constant part of a line that the engine must break, '.repeat(6)}${v.ref('note')}` },
            ...v.entries(v.ref('tuning'), (scope, params) => v.entries(params, (param, value) => ({ name: v.fmt`T_${v.upper(v.snakecase(scope))}_${v.upper(v.snakecase(param))}`, value: v.fmt`${value}` }), 'integer')),
          ],
          resources: v.partial('shared.limits', { cpu: v.ref('resources') }, (b) => v.maybe(v.truthy(b.cpu), { limits: b.cpu })),
        };
      });
    const volumes = (medium: string) =>
      v.partial('shared.volumes', { medium }, (a) => [v.maybe('ha', { name: 'ha', emptyDir: {} }), { name: 'scratch', emptyDir: { medium: a.medium } }]);
    new K8sObject(shared, 'first', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: v.fmt`${v.ref('name')}-first` },
      spec: { containers: [sidecar('first', 8080, v.ref('logLevel'))], volumes: [...volumes('Memory')] },
    });
    new K8sObject(shared, 'second', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: v.fmt`${v.ref('name')}-second` },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'main', image: 'busybox' }, v.maybe(v.not('ha'), sidecar('second', v.ref('image.port'), 'debug'))],
            volumes: [{ name: 'own', emptyDir: {} }, ...volumes('')],
          },
        },
      },
    });
    v.when('enabled', () => {
      const optional = new Component(chart, 'optional', 'optional.yaml');
      new K8sObject(optional, 'extra', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: v.fmt`${v.ref('name')}-extra` },
        data: { replicas: v.fmt`${v.ref('replicas')}`, enabled: v.fmt`${v.ref('enabled')}` },
      });
      v.when(v.not('ha'), () => {
        new K8sObject(optional, 'nested', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: v.fmt`${v.ref('name')}-single` },
          data: {},
        });
      });
    });
  },
});
