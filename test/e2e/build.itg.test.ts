// End to end: `pipeline build` of the example node app onto the real base in the local registry,
// checked by independent tools (skopeo, umoci, docker load + run) and for reproducibility.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../lib/services.js';
import { runCli } from '../lib/cli.js';
import { accessLog } from '../lib/access-log.js';

const root = new URL('../../', import.meta.url).pathname;
const example = join(root, 'examples/node-app');
const work = mkdtempSync(join(tmpdir(), 'pipeline-e2e-build-'));
const ok = needs(test, 'docker', 'registry');
const sh = (cmd: string, args: string[], cwd?: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test.after(() => rmSync(work, { recursive: true, force: true }));

function gitCopy(dest: string) {
  cpSync(example, dest, { recursive: true });
  return dest;
}

if (ok) {
  test('builds the example app to OCI + docker-archive; skopeo, umoci and docker accept it; it runs', async () => {
    const oci = join(work, 'oci');
    const archive = join(work, 'app.tar');
    const r = await runCli(['build', example, '--output', `oci:${oci}:v1`, '--output', `docker-archive:${archive}:pipeline-e2e/node-app:v1`, '--cache-dir', join(work, 'cache'), '--json'], { SOURCE_DATE_EPOCH: '1700000000' });
    assert.is(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { digest: string; layers: unknown[] };
    assert.match(out.digest, /^sha256:[a-f0-9]{64}$/);

    const inspect = JSON.parse(sh('skopeo', ['inspect', `oci:${oci}:v1`])) as { Digest: string; Layers: string[] };
    assert.is(inspect.Digest, out.digest);
    assert.ok(inspect.Layers.length >= 2, 'base layers + the app layer');

    const bundle = join(work, 'bundle');
    sh('umoci', ['unpack', '--rootless', '--image', `${oci}:v1`, bundle]);
    assert.ok(existsSync(join(bundle, 'rootfs/app/server.js')), 'umoci unpacked /app/server.js');
    assert.ok(existsSync(join(bundle, 'rootfs/usr/local/bin/node')) || existsSync(join(bundle, 'rootfs/bin/node')), 'the base is under it');

    sh('docker', ['load', '-i', archive]);
    const run = sh('docker', ['run', '--rm', '--network', 'host', '-e', 'APP_VERSION=e2e', 'pipeline-e2e/node-app:v1', 'node', '/app/server.js', '--once']);
    assert.is(run.trim(), 'node-app e2e ok');
    const cmd = JSON.parse(sh('docker', ['inspect', '--format', '{{json .Config.Cmd}}', 'pipeline-e2e/node-app:v1'])) as string[];
    assert.equal(cmd, ['node', '/app/server.js']);
    sh('docker', ['rmi', 'pipeline-e2e/node-app:v1']);
  });

  test('two clean builds of the same commit on different paths give the same digest', async () => {
    const digests: string[] = [];
    for (const name of ['one', 'two/deeper']) {
      const dir = gitCopy(join(work, 'src', name));
      sh('git', ['init', '-q'], dir);
      sh('git', ['add', '.'], dir);
      sh('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'x', '--date', '2024-01-01T00:00:00Z'], dir);
      execFileSync('git', ['commit', '-q', '--amend', '--no-edit'], { cwd: dir, env: { ...process.env, GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z', GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
      const r = await runCli(['build', dir, '--output', `oci:${join(dir, '..', `${name.replace('/', '-')}.oci`)}`, '--cache-dir', join(work, `cache-${digests.length}`), '--json'], { SOURCE_DATE_EPOCH: '' });
      assert.is(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout) as { digest: string; epochFrom: string };
      assert.is(j.epochFrom, 'git');
      digests.push(j.digest);
    }
    assert.is(digests[0], digests[1]);
  });

  test('a registry base is fetched once into the store: the next build to a new directory downloads no blob', async () => {
    const dir = gitCopy(join(work, 'base-once'));
    const cache = join(work, 'cache-base-once');
    await runCli(['build', dir, '--cache-dir', cache, '-o', `oci:${join(work, 'once-a.oci')}`], { SOURCE_DATE_EPOCH: '1' });
    const log = accessLog('anon');
    const b = await runCli(['build', dir, '--cache-dir', cache, '-o', `oci:${join(work, 'once-b.oci')}`, '-o', `docker-archive:${join(work, 'once-b.tar')}`], { SOURCE_DATE_EPOCH: '1' });
    assert.is(b.code, 0, b.stderr);
    const blobGets = (await log.since()).filter((e) => e.method === 'GET' && e.path.includes('/blobs/sha256:'));
    assert.equal(blobGets.filter((e) => e.bytes > 1024).map((e) => e.path), [], 'no layer downloaded again');
    sh('skopeo', ['inspect', '--raw', `oci:${join(work, 'once-b.oci')}:latest`]);
    sh('umoci', ['unpack', '--rootless', '--image', `${join(work, 'once-b.oci')}:latest`, join(work, 'once-b.bundle')]);
    assert.ok(existsSync(join(work, 'once-b.bundle/rootfs/usr/local/bin/node')) || existsSync(join(work, 'once-b.bundle/rootfs/usr/bin/node')), 'the base layer is in the layout');
  });

  test('a one-file change rebuilds only the app layer', async () => {
    const dir = gitCopy(join(work, 'rebuild'));
    const cache = join(work, 'cache-rebuild');
    const first = JSON.parse((await runCli(['build', dir, '--cache-dir', cache, '--json', '-o', `oci:${join(work, 'rb.oci')}`], { SOURCE_DATE_EPOCH: '1' })).stdout) as { layers: { cached: boolean }[]; digest: string };
    const again = JSON.parse((await runCli(['build', dir, '--cache-dir', cache, '--json', '-o', `oci:${join(work, 'rb.oci')}`], { SOURCE_DATE_EPOCH: '1' })).stdout) as { layers: { cached: boolean }[]; digest: string };
    assert.is(again.digest, first.digest);
    assert.ok(again.layers.every((l) => l.cached), 'unchanged inputs: every layer from the cache');
    const f = join(dir, 'app/server.js');
    cpSync(f, `${f}.bak`);
    execFileSync('sh', ['-c', 'echo "// changed" >> "$0"', f]);
    const third = JSON.parse((await runCli(['build', dir, '--cache-dir', cache, '--json', '-o', `oci:${join(work, 'rb.oci')}`], { SOURCE_DATE_EPOCH: '1' })).stdout) as { layers: { cached: boolean }[]; digest: string };
    assert.is.not(third.digest, first.digest);
    assert.equal(third.layers.map((l) => l.cached), [false]);
    assert.ok(readFileSync(f, 'utf8').includes('// changed'));
  });
}

test.run();
