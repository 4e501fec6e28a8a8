import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isConfigError } from '@pipeline/core';
import { loadConfig, parseConfig } from '../../src/config/index.js';

const dir = fileURLToPath(new URL('./fixtures/good/', import.meta.url));
const file = join(dir, 'pipeline.yml');
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const at = (line: number, column: number) => ({ file, line, column });

test('the full example: registry, images in build order, resolved paths, defaults', async () => {
  const c = plain(await loadConfig(file));
  assert.is(c.dir, dir.replace(/\/$/, ''));
  assert.equal(c.registry, { url: '127.0.0.1:5000', namespace: 'team', insecure: false });
  assert.equal(c.order, ['os', 'node', 'app']);
  assert.equal(c.images.os, {
    name: 'os',
    dockerfile: join(dir, 'images/os/Dockerfile'),
    context: join(dir, 'images/os'),
    from: { kind: 'external', ref: 'debian:12.5' },
    version: { kind: 'fixed', value: '12.5' },
    tags: ['{version}', '{major}'],
    buildArgs: { DEBIAN_FRONTEND: 'noninteractive', UID: '1000' },
    executor: 'chroot',
    platform: 'linux/amd64',
    position: at(5, 3),
  });
  assert.equal(c.images.node, {
    name: 'node',
    dockerfile: join(dir, 'images/node/Dockerfile'),
    context: join(dir, 'images/node'),
    from: { kind: 'image', name: 'os' },
    version: { kind: 'label', label: 'version' },
    tags: ['{version}'],
    buildArgs: {},
    position: at(14, 3),
  });
  assert.equal(c.images.app.from, { kind: 'image', name: 'node' });
  assert.equal(c.images.app.tags, ['{sha}', 'sha-{short}', '{branch}']);
  assert.is(c.images.app.context, dir.replace(/\/$/, ''));
  assert.equal(c.lint, { disable: ['PL003'], strict: false });
  assert.equal(c.tagPolicy, { versionTags: 'move', unique: '{version}-{inputs}' }, 'version tags move by default; each build gets a unique tag');
  assert.equal(c.environments, {
    production: {
      name: 'production', target: 'docker', image: '127.0.0.1:5000/team/app',
      hosts: [{ url: 'unix:///var/run/docker.sock', address: '127.0.0.1' }, { url: 'ssh://deploy@web1', address: 'web1' }],
      replicas: 2, network: 'bridge', port: 80, hostPorts: { from: 20000, to: 20099 }, ports: [], env: {}, secrets: {}, volumes: [],
      restart: 'unless-stopped', init: true, resources: {},
      probe: { interval: 1000, timeout: 1000, retries: 3, startPeriod: 0, stability: 0, http: { path: '/healthz', status: 200 } },
      rollout: { batch: 1, order: 'start-first', watch: 0, maxErrorRate: 0.01, drain: 2000 },
      lock: { wait: 0, stale: 1_800_000 }, prune: { keep: 3, auto: true },
    },
  });
  assert.equal(c.warnings, []);
});

test('the full example: test declarations normalized', async () => {
  const t = plain(await loadConfig(file)).test.app;
  assert.equal(t.structure.map(({ position, ...rest }) => rest), [
    { kind: 'file', path: '/app/server.js', state: 'exists' },
    { kind: 'file', path: '/etc/shadow', state: 'absent' },
    { kind: 'file', path: '/app/package.json', state: 'exists', contains: '"name"' },
    { kind: 'command', argv: ['node', '/app/server.js'] },
    { kind: 'entrypoint', argv: [] },
    { kind: 'env', env: { NODE_ENV: 'production' } },
    { kind: 'ports', ports: ['8080/tcp', '9090/tcp'] },
    { kind: 'user', user: 'non-root' },
    { kind: 'max-size', bytes: 150_000_000 },
    { kind: 'label', label: 'org.opencontainers.image.revision' },
  ]);
  assert.equal(t.structure[1].position, at(27, 9));
  assert.equal(t.commands, [
    { run: 'node /app/server.js --once', expectExit: 0, expectOutput: 'ok', timeoutMs: 60_000, position: at(37, 9) },
    { run: ['node', '--version'], expectExit: 0, timeoutMs: 5000, position: at(38, 9) },
  ]);
  assert.equal(t.smoke, { port: 8080, http: '/healthz', expectStatus: 200, timeoutMs: 20_000, position: at(39, 12) });
});

test('tag-policy: strict version tags and a unique tag from the CI build number', async () => {
  const c = await loadConfig(join(dir, 'immutable-tags.yml'));
  assert.equal(c.tagPolicy, { versionTags: 'immutable', unique: '{version}-{build}' });
});

test('minimal: an app image gets the {sha} tag and its Dockerfile directory as context', async () => {
  const c = plain(await loadConfig(join(dir, 'minimal.yml')));
  assert.equal(c.images.app.tags, ['{sha}']);
  assert.is(c.images.app.context, dir.replace(/\/$/, ''));
  assert.equal(c.test, {});
  assert.equal(c.lint, { disable: [], strict: false });
  assert.is(c.registry, undefined);
});

test('a directory argument finds pipeline.yml in it', async () => {
  assert.is((await loadConfig(dir)).file, file);
});

test('a chain of four images is a warning with a position, and an error in strict mode', async () => {
  const deep = join(dir, 'deep-chain.yml');
  const c = await loadConfig(deep);
  assert.equal(c.warnings, [{ message: 'images.app.from: chain os → rt → node → app is 4 images deep; expected at most 3 (OS → middleware → app)', position: { file: deep, line: 7, column: 40 } }]);
  assert.equal(c.order, ['os', 'rt', 'node', 'app']);
  try {
    await loadConfig(deep, { strict: true });
    assert.unreachable();
  } catch (e) {
    assert.ok(isConfigError(e));
    assert.equal((e as { position?: unknown }).position, { file: deep, line: 7, column: 40 });
  }
});

test('a {branch} tag on a versioned base is a warning', () => {
  const c = parseConfig('version: 1\nimages:\n  os: { dockerfile: Dockerfile, version: "1", tags: ["{version}", "{branch}"] }\n', join(dir, 'x.yml'));
  assert.is(c.warnings.length, 1);
  assert.match(c.warnings[0].message, /^images\.os\.tags: a \{branch\} tag moves/);
});

test('x- keys hold anchors; aliases reuse them, and errors inside an alias point at the anchor', () => {
  const yml = 'version: 1\nx-base: &base { dockerfile: Dockerfile, executor: native }\nimages:\n  app: *base\n  api: *base\n';
  const c = parseConfig(yml, join(dir, 'y.yml'));
  assert.equal(Object.keys(c.images), ['app', 'api']);
  assert.is(c.images.api.executor, 'native');
  try {
    parseConfig(yml.replace('native', 'podman'), join(dir, 'y.yml'));
    assert.unreachable();
  } catch (e) {
    assert.ok(isConfigError(e));
    assert.is((e as Error).message, "images.app.executor: Expected one of: native, engine, chroot, got 'podman'");
    assert.equal((e as { position?: unknown }).position, { file: join(dir, 'y.yml'), line: 2, column: 51 });
  }
});

test.run();
