// All or nothing, for a whole `pipeline build --push`: credentials that cannot push stop the run
// before any blob; a registry that fails in the middle gets an exact account of what was pushed, and
// the same command again pushes the rest. A fault-injecting proxy sits in front of the real registry.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needs, services } from '../lib/services.js';
import { runCli } from '../lib/cli.js';
import { accessLog } from '../lib/access-log.js';
import { startFaultyProxy } from '../lib/faulty-proxy.js';
import { tempDir } from '../lib/tmp.js';

const ok = needs(test, 'registry', 'images');
const repo = tempDir('pipeline-push-');
const cache = tempDir('pipeline-push-cache-');
const ns = `push-aon-${randomBytes(4).toString('hex')}`;
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, encoding: 'utf8' }).trim();
const write = (path: string, text: string) => {
  mkdirSync(join(repo, path, '..'), { recursive: true });
  writeFileSync(join(repo, path), text);
};
const tagsOf = async (host: string, name: string) => {
  const r = await fetch(`http://${host}/v2/${ns}/${name}/tags/list`);
  return r.status === 404 ? [] : ((await r.json()) as { tags: string[] }).tags.filter((t) => !t.endsWith('.tests')).sort();
};
const noEnvCreds = { DOCKER_CONFIG: '/nonexistent', PIPELINE_REGISTRY_USERNAME: '', PIPELINE_REGISTRY_PASSWORD: '' };

if (ok) {
  const busybox = services().images.busybox;
  write('pipeline.yml', `version: 1
images:
  base:
    dockerfile: base/Dockerfile
    version: { label: version }
  app:
    dockerfile: app/Dockerfile
    from: base
    tags: ["{sha}", "sha-{short}"]
test:
  base:
    structure:
      - { file: /etc/motd, contains: "hello" }
`);
  write('base/Dockerfile', `FROM ${busybox}\nLABEL version=1.0\nCOPY motd /etc/motd\n`);
  write('base/motd', 'hello\n');
  write('app/Dockerfile', 'FROM base\nCOPY . /app\n');
  write('app/main.sh', 'echo hi\n');
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'first');

  test('credentials that may read but not push: exit 2 before anything is built or sent', async () => {
    const token = services().registries.token;
    const log = accessLog('token');
    // The token server grants a user only `pull` on readonly/*.
    const r = await runCli(['build', '--push', '--registry', token.host, '--namespace', `readonly/${ns}`, '--cache-dir', cache], { ...noEnvCreds, PIPELINE_REGISTRY_USERNAME: token.username, PIPELINE_REGISTRY_PASSWORD: token.password }, repo);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /check push access to readonly\//);
    assert.not.match(r.stderr, /tests of|FROM/);
    const writes = (await log.since()).filter((e) => e.method === 'PUT' || e.method === 'PATCH' || (e.method === 'POST' && e.status < 400));
    assert.equal(writes, [], 'not a blob');
  });

  test('the app\'s manifest keeps failing: exit 1 says base was pushed and app was not; the rerun pushes only the app', async () => {
    const proxy = await startFaultyProxy(services().registries.anon.host, [{ method: 'PUT', path: new RegExp(`^/v2/${ns}/app/manifests/`), fault: { kind: 'status', status: 500 } }]);
    try {
      const args = ['build', '--push', '--json', '--registry', proxy.host, '--namespace', ns, '--cache-dir', cache];
      const r = await runCli(args, noEnvCreds, repo);
      assert.is(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`pushed before this failure: base → ${proxy.host}/${ns}/base@sha256:[0-9a-f]{64} \\(1\\.0-[0-9a-f]{12}, 1\\.0\\); not pushed: app`));
      const direct = services().registries.anon.host;
      assert.equal((await tagsOf(direct, 'base')).length, 2);
      assert.equal(await tagsOf(direct, 'app'), [], 'no tag of app: its manifest never got in');

      proxy.rules.length = 0;
      const seen = proxy.requests.length;
      const again = await runCli(args, noEnvCreds, repo);
      assert.is(again.code, 0, again.stderr);
      const images = (JSON.parse(again.stdout) as { images: { name: string; action: string; pushed?: { tags: string[] } }[] }).images;
      assert.equal(images.map((i) => [i.name, i.action, !!i.pushed]), [['base', 'reused', false], ['app', 'reused', true]], 'nothing rebuilt; base left alone');
      const sha = git('rev-parse', 'HEAD');
      assert.equal(await tagsOf(direct, 'app'), [sha, `sha-${sha.slice(0, 7)}`].sort());
      assert.not.ok(proxy.requests.slice(seen).some((q) => q.method !== 'GET' && q.method !== 'HEAD' && q.path.startsWith(`/v2/${ns}/base/`)), 'nothing written to base');
    } finally {
      await proxy.close();
    }
  });
}

test.run();
