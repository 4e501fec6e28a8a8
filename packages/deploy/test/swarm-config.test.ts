// `target: swarm` environments: exact values with defaults, and every mistake a ConfigError at its key (exit 2).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isConfigError, type PipelineError } from '@pipeline/core';
import { parseDeployConfig, resolveSecrets, type SwarmEnvironment } from '../src/index.js';

const at = (path: (string | number)[]) => ({ file: 'pipeline.yml', line: 10 + path.length, column: 3 });
const base = { target: 'swarm', manager: 'unix:///var/run/docker.sock', image: '127.0.0.1:5000/team/web' };
const parse = (raw: unknown) => parseDeployConfig(raw, at) as Record<string, SwarmEnvironment>;
const PIN = `127.0.0.1:5000/lib/nginx@sha256:${'a'.repeat(64)}`;

test('a full swarm environment parses to exact values; defaults: stack from the image, <stack>_default network, one replica', () => {
  const e = parse({
    prod: {
      ...base, env: { MODE: 'prod' }, secrets: { DB: { env: 'DB_PASS' } },
      probe: { http: { path: '/health' }, stability: '3s' }, rollout: { batch: '50%', order: 'stop-first', drain: '5s' },
      services: {
        web: { replicas: 3, ports: [80, '9090:90/udp'], port: 80, env: { ROLE: 'web' }, command: ['httpd', '-f'], networks: ['front'], placement: { constraints: ['node.role==worker'], preferences: ['spread=node.labels.zone'], maxReplicas: 1 }, resources: { memory: '64m', cpus: 0.5 }, labels: { team: 'a' } },
        cache: { image: PIN, secrets: { CACHE_KEY: { file: 'k' } } },
      },
    },
  }).prod;
  assert.equal(e, {
    name: 'prod', target: 'swarm', image: '127.0.0.1:5000/team/web', manager: { url: 'unix:///var/run/docker.sock', address: '127.0.0.1' }, stack: 'web',
    env: { MODE: 'prod' }, secrets: { DB: { env: 'DB_PASS' } },
    probe: { http: { path: '/health', status: 200 }, interval: 1000, timeout: 1000, retries: 3, startPeriod: 0, stability: 3000 },
    rollout: { batch: { percent: 50 }, order: 'stop-first', watch: 0, maxErrorRate: 0.01, drain: 5000 },
    lock: { wait: 0, stale: 1_800_000 }, prune: { keep: 3, auto: true },
    services: [
      {
        name: 'web', replicas: 3, command: ['httpd', '-f'], env: { MODE: 'prod', ROLE: 'web' }, secrets: { DB: { env: 'DB_PASS' } },
        ports: [{ target: 80, protocol: 'tcp' }, { target: 90, published: 9090, protocol: 'udp' }], probePort: 80, networks: ['front'],
        placement: { constraints: ['node.role==worker'], preferences: ['spread=node.labels.zone'], maxReplicas: 1 }, resources: { memory: 64 * 1024 * 1024, cpus: 0.5 }, labels: { team: 'a' },
      },
      {
        name: 'cache', image: PIN, replicas: 1, env: { MODE: 'prod' }, secrets: { DB: { env: 'DB_PASS' }, CACHE_KEY: { file: 'k' } },
        ports: [], networks: ['web_default'], placement: { constraints: [], preferences: [] }, resources: {}, labels: {},
      },
    ],
  });
});

test('secrets of every service are resolved before anything is touched', () => {
  const e = parse({ p: { ...base, services: { a: { secrets: { A: { env: 'PL_A' } } }, b: { secrets: { B: { env: 'PL_B' } } } } } }).p;
  assert.equal(resolveSecrets(e, { vars: { PL_A: 'x', PL_B: 'y' } }), { A: 'x', B: 'y' });
  assert.throws(() => resolveSecrets(e, { vars: { PL_A: 'x' } }), (err: Error) => isConfigError(err) && /PL_B to be set/.test(err.message));
});

function bad(raw: unknown, message: RegExp, path: string): void {
  let err: PipelineError | undefined;
  try {
    parseDeployConfig(raw, at);
  } catch (e) {
    err = e as PipelineError;
  }
  assert.ok(isConfigError(err), `expected a ConfigError for ${JSON.stringify(raw)}, got ${err}`);
  assert.is(err!.exitCode, 2);
  assert.match(err!.message, message);
  assert.ok(err!.message.startsWith(path + ':'), err!.message);
  assert.is(err!.position?.file, 'pipeline.yml');
}

const s = (services: unknown, extra: Record<string, unknown> = {}) => ({ p: { ...base, services, ...extra } });
const corpus: [string, unknown, RegExp, string][] = [
  ['no manager', { p: { target: 'swarm', image: 'r/a', services: { a: {} } } }, /Expected the engine of a Swarm manager/, 'p.manager'],
  ['manager is not a URL the engine takes', { p: { ...base, manager: 'http://x', services: { a: {} } } }, /Expected unix:\/\/\/path\/docker.sock, tcp/, 'p.manager'],
  ['no services', s({}), /Expected at least one service/, 'p.services'],
  ['hosts key (docker only)', { p: { ...base, hosts: ['unix:///x'], services: { a: {} } } }, /Expected one of the keys app, image, manager, stack, services/, 'p.hosts'],
  ['unknown service key', s({ a: { volume: 'x' } }), /Expected one of the keys image, replicas, command/, 'p.services.a.volume'],
  ['bad service name', s({ Web: {} }), /a service name of lowercase/, 'p.services.Web'],
  ['name too long for Swarm', s({ ['a'.repeat(62)]: {} }), /at most 62 characters together/, `p.services.${'a'.repeat(62)}`],
  ['bad port', s({ a: { ports: ['80:eighty'] } }), /TARGET or PUBLISHED:TARGET/, 'p.services.a.ports.0'],
  ['fixed port with start-first', s({ a: { ports: ['8080:80'] } }), /without a fixed published port with order start-first/, 'p.services.a.ports.0'],
  ['fixed port, several replicas, no max per node', s({ a: { replicas: 2, ports: ['8080:80'] } }, { rollout: { order: 'stop-first' } }), /placement.maxReplicas: 1 with a fixed published port/, 'p.services.a.ports.0'],
  ['probe port not published', s({ a: { ports: [80], port: 81 } }), /one of the service's tcp ports \(80\)/, 'p.services.a.port'],
  ['bad constraint', s({ a: { placement: { constraints: ['role=manager'] } } }), /a constraint like node.role==manager/, 'p.services.a.placement.constraints.0'],
  ['bad preference', s({ a: { placement: { preferences: ['node.labels.zone'] } } }), /a preference like spread=node.labels.zone/, 'p.services.a.placement.preferences.0'],
  ['unpinned foreign image', s({ a: { image: '127.0.0.1:5000/other/x' } }), /Expected 127.0.0.1:5000\/team\/web \(the deployed repository.*or a pinned repo@sha256/, 'p.services.a.image'],
  ['exec probe', s({ a: {} }, { probe: { exec: ['/bin/true'] } }), /Expected http, tcp or healthcheck probes with target: swarm/, 'p.probe.exec'],
  ['maxErrorRate (no proxy)', s({ a: {} }, { rollout: { maxErrorRate: 0.1 } }), /no maxErrorRate with target: swarm/, 'p.rollout.maxErrorRate'],
  ['a secret key with two sources', s({ a: { secrets: { DB: { env: 'OTHER' } } } }, { secrets: { DB: { env: 'DB_PASS' } } }), /the same source as the other DB/, 'p.services.a.secrets.DB'],
  ['reserved label', s({ a: { labels: { 'com.docker.stack.namespace': 'x' } } }), /a label of your own/, 'p.services.a.labels.com.docker.stack.namespace'],
  ['no stack name', { p: { target: 'swarm', manager: 'unix:///var/run/docker.sock', services: { a: {} } } }, /Expected stack, app or image to name the stack/, 'p.stack'],
  ['replicas 0', s({ a: { replicas: 0 } }), /an integer from 1 to 100, got 0/, 'p.services.a.replicas'],
];
for (const [name, raw, re, path] of corpus) test(`bad swarm config: ${name}`, () => bad(raw, re, path));

test.run();
