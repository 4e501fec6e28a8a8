// `pipeline build --push` against the real registries: htpasswd and Bearer-token auth, read back by
// skopeo and docker, a second push sends nothing, SHA tags never move, bad input is one line + exit 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs, services } from '../lib/services.js';
import { runCli } from '../lib/cli.js';
import { accessLog } from '../lib/access-log.js';

const ok = needs(test, 'docker', 'registry');
const work = mkdtempSync(join(tmpdir(), 'pipeline-push-'));
const app = join(work, 'app');
const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: app, encoding: 'utf8' });
// `docker run` pulls the pushed image into the shared engine: remove it (leftovers filled the disk).
const pulled: string[] = [];
test.after(() => {
  rmSync(work, { recursive: true, force: true });
  if (pulled.length) spawnSync('docker', ['rmi', '-f', ...pulled], { stdio: 'ignore' });
});

type Push = { push: { reference: string; tags: string[]; uploadedBytes: number; mountedBlobs: number; skippedBlobs: number }; digest: string };

if (ok) {
  const s = services();
  const creds = { PIPELINE_REGISTRY_USERNAME: s.registries.basic.username, PIPELINE_REGISTRY_PASSWORD: s.registries.basic.password };
  const push = (registry: string, extra: string[] = [], env: Record<string, string> = creds) =>
    runCli(['build', app, '--push', '--image', `${registry}/e2e/app-${process.pid}`, '--cache-dir', join(work, 'cache'), '--json', ...extra], env);

  test('pushes to the htpasswd and the token registry; skopeo and docker read it back', async () => {
    cpSync(new URL('../../examples/node-app/', import.meta.url).pathname, app, { recursive: true });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'init');
    git('tag', 'v2.3.4');
    const sha = git('rev-parse', 'HEAD').trim();
    for (const reg of [s.registries.basic.host, s.registries.token.host]) {
      const r = await push(reg);
      assert.is(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout) as Push;
      assert.equal(j.push.tags.slice().sort(), [sha, `sha-${sha.slice(0, 7)}`, 'master', '2.3.4', '2.3', '2'].sort());
      const copy = join(work, `copy-${reg.replace(/\W/g, '_')}`);
      execFileSync('skopeo', ['copy', '-q', '--src-tls-verify=false', '--src-creds', `${creds.PIPELINE_REGISTRY_USERNAME}:${creds.PIPELINE_REGISTRY_PASSWORD}`, `docker://${reg}/e2e/app-${process.pid}:2.3.4`, `oci:${copy}:x`]);
      const inspect = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${copy}:x`], { encoding: 'utf8' })) as { Labels: Record<string, string> };
      assert.is(inspect.Labels['org.opencontainers.image.revision'], sha);
    }
    const ref = `${s.registries.basic.host}/e2e/app-${process.pid}:sha-${sha.slice(0, 7)}`;
    execFileSync('docker', ['login', '-u', creds.PIPELINE_REGISTRY_USERNAME, '--password-stdin', s.registries.basic.host], { input: creds.PIPELINE_REGISTRY_PASSWORD, stdio: ['pipe', 'ignore', 'ignore'] });
    pulled.push(ref);
    const out = execFileSync('docker', ['run', '--rm', '--network', 'host', ref, 'node', '/app/server.js', '--once'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    assert.is(out.trim(), 'node-app dev ok');
  });

  test('a second push of the same commit sends no blob bytes', async () => {
    const r = await push(s.registries.basic.host);
    const j = JSON.parse(r.stdout) as Push;
    assert.is(j.push.uploadedBytes, 0);
    assert.is(j.push.skippedBlobs, 3);
  });

  test('the base layers are mounted, not uploaded, inside the same registry', async () => {
    const r = await push(s.registries.anon.host, [], {});
    assert.is(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Push;
    assert.ok(j.push.mountedBlobs >= 1, 'the node base layer came by cross-repo mount');
    const appLayer = 1; // the one COPY layer (+ config) is all that travels
    assert.ok(j.push.uploadedBytes < 100_000, `only the app layer and config were sent (${j.push.uploadedBytes} bytes, ${appLayer} layer)`);
  });

  test('a SHA tag never moves: a different image for the same commit is refused (exit 2) unless --force', async () => {
    appendFileSync(join(app, 'app/server.js'), '// uncommitted but same HEAD\n');
    const log = accessLog('basic');
    const r = await push(s.registries.basic.host, ['--tag', git('rev-parse', 'HEAD').trim()]);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /already|immutable|points/i);
    // Blobs start on their way during the build, but not when a SHA tag exists: nothing was sent.
    const writes = (await log.since()).filter((e) => e.method !== 'GET' && e.method !== 'HEAD');
    assert.equal(writes.map((e) => `${e.method} ${e.path}`), [], 'a refused push sends nothing');
    const f = await push(s.registries.basic.host, ['--tag', git('rev-parse', 'HEAD').trim(), '--force']);
    assert.is(f.code, 0, f.stderr);
    git('checkout', '--', '.');
  });

  test('bad input: wrong password, unknown registry, malformed reference – one line, exit 2, no secret', async () => {
    const bad = await push(s.registries.basic.host, [], { PIPELINE_REGISTRY_USERNAME: 'pipeline', PIPELINE_REGISTRY_PASSWORD: 'wrong-secret-xyz' });
    assert.is(bad.code, 2);
    assert.match(bad.stderr, /127\.0\.0\.1:5001/);
    assert.not.match(bad.stderr, /wrong-secret-xyz/);
    const closed = await push('127.0.0.1:5999', [], {});
    assert.is(closed.code, 2, closed.stderr);
    assert.match(closed.stderr, /127\.0\.0\.1:5999/);
    const malformed = await runCli(['build', app, '--push', '--image', 'Bad/UPPER:case', '--cache-dir', join(work, 'cache')]);
    assert.is(malformed.code, 2);
    assert.match(malformed.stderr, /Invalid image reference/);
  });
}

test.run();
