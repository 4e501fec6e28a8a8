// The three-layer example end to end: OS (RUN) → middleware (RUN) → app (three lines), built by one
// `pipeline build`, tested, pushed, run with docker; then minimal rebuilds by content.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../lib/services.js';
import { runCli } from '../lib/cli.js';

const example = new URL('../../examples/three-layer/', import.meta.url).pathname;
const ok = needs(test, 'docker', 'registry');
const work = mkdtempSync(join(tmpdir(), 'pipeline-3l-'));
const repo = join(work, 'repo');
const ns = `e2e-${process.pid}`;
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, encoding: 'utf8' });
type Out = { images: { name: string; action: string; digest: string; tags: string[] }[] };
const build = async (...extra: string[]) => {
  const r = await runCli(['build', '--json', '--cache-dir', join(work, 'cache'), '--namespace', ns, ...extra], {}, repo);
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Out;
};
const built = (o: Out) => o.images.filter((i) => i.action === 'built').map((i) => i.name);

// `docker run` pulls the pushed image into the shared engine: remove it (leftovers filled the disk).
const pulled: string[] = [];
test.after(() => {
  rmSync(work, { recursive: true, force: true });
  if (pulled.length) spawnSync('docker', ['rmi', '-f', ...pulled], { stdio: 'ignore' });
});

if (ok) {
  test('one `pipeline build --push` builds, tests and pushes OS → middleware → app; the app answers HTTP', async () => {
    cpSync(example, repo, { recursive: true });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'init');
    const out = await build('--push');
    assert.equal(built(out), ['os', 'node', 'app']);
    const app = out.images.find((i) => i.name === 'app')!;
    const sha = git('rev-parse', 'HEAD').trim();
    assert.ok(app.tags.includes(sha) && app.tags.includes(`sha-${sha.slice(0, 7)}`));
    const ref = `127.0.0.1:5000/${ns}/app:sha-${sha.slice(0, 7)}`;
    const inspect = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`], { encoding: 'utf8' })) as { Digest: string; Labels: Record<string, string> };
    assert.is(inspect.Digest, app.digest);
    assert.is(inspect.Labels['org.opencontainers.image.revision'], sha);
    pulled.push(ref);
    const said = execFileSync('docker', ['run', '--rm', '--network', 'host', ref, 'node', '/app/server.js', '--once'], { encoding: 'utf8' });
    assert.is(said.trim(), 'node-app dev ok');
    const os = execFileSync('docker', ['run', '--rm', '--network', 'host', ref, 'cat', '/etc/company/os-release'], { encoding: 'utf8' });
    assert.is(os.trim(), 'company-os 1.0.0', 'the app runs on the OS layer built by RUN');
  });

  test('touch only the app: only the app rebuilds', async () => {
    appendFileSync(join(repo, 'app/server.js'), '// touched\n');
    git('commit', '-qam', 'app change');
    const plan = JSON.parse((await runCli(['plan', '--json', '--cache-dir', join(work, 'cache')], {}, repo)).stdout) as { name: string; action: string; reason: string }[];
    assert.equal(plan.map((p) => p.action), ['reuse', 'reuse', 'build']);
    assert.equal(built(await build()), ['app']);
  });

  test('touch the OS Dockerfile: all three rebuild, in order', async () => {
    const f = join(repo, 'images/os/Dockerfile');
    writeFileSync(f, readFileSync(f, 'utf8').replace('ENV TZ=UTC', 'ENV TZ=UTC LANG=C.UTF-8'));
    git('commit', '-qam', 'os change');
    const plan = JSON.parse((await runCli(['plan', '--json', '--cache-dir', join(work, 'cache')], {}, repo)).stdout) as { name: string; reason: string }[];
    assert.match(plan[1].reason, /base os rebuilds/);
    assert.equal(built(await build()), ['os', 'node', 'app']);
  });

  test('a failing image test stops the run with exit 1 and pushes nothing of that image', async () => {
    const f = join(repo, 'pipeline.yml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('expect-output: "ok"', 'expect-output: "never printed"'));
    appendFileSync(join(repo, 'app/server.js'), '// again\n');
    git('commit', '-qam', 'bad test');
    const sha = git('rev-parse', 'HEAD').trim();
    const r = await runCli(['build', '--push', '--cache-dir', join(work, 'cache'), '--namespace', ns], {}, repo);
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /tests of image app failed/);
    const tags = execFileSync('skopeo', ['list-tags', '--tls-verify=false', `docker://127.0.0.1:5000/${ns}/app`], { encoding: 'utf8' });
    assert.not.ok(tags.includes(sha.slice(0, 7)), 'no tag of the failing commit');
  });
}

test.run();
