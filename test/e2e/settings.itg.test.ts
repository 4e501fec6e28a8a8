// Every documented setting through the real binary, where its effect shows: what plan says, what a
// push leaves in the registry (read back with skopeo), what strict mode refuses. The resolver's own
// order is unit-tested in packages/cli/test/settings.test.ts; here each setting proves it is wired.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { execa } from 'execa';
import { join } from 'node:path';
import { needs, services } from '../lib/services.js';
import { runCli } from '../lib/cli.js';
import { tempDir } from '../lib/tmp.js';

const ok = needs(test, 'registry');
const NS = `settings-${process.pid}`;
const work = tempDir('pipeline-settings-');
const cache = join(work, 'cache');
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const git = (dir: string, ...a: string[]) => execFileSync('git', a, { cwd: dir, encoding: 'utf8', env: gitEnv }).trim();
const skopeo = (...a: string[]) => execFileSync('skopeo', a, { encoding: 'utf8' });
const tagsOf = (repo: string) => (JSON.parse(skopeo('list-tags', '--tls-verify=false', `docker://${repo}`)) as { Tags: string[] }).Tags.sort();
const labelsOf = (ref: string) => (JSON.parse(skopeo('inspect', '--tls-verify=false', `docker://${ref}`)) as { Labels: Record<string, string> }).Labels;
// Settings from the ambient environment (a CI runner's own) must not leak into these runs.
const clean = Object.fromEntries(Object.keys(process.env).filter((k) => /^(PIPELINE_|PLUGIN_|GITHUB_|GITLAB_|CI_|DRONE)/.test(k) || k === 'CI').map((k) => [k, '']));
const cli = (args: string[], env: Record<string, string>, cwd: string) => runCli([...args, ...(args[0] === 'test' ? [] : ['--cache-dir', cache])], { ...clean, SOURCE_DATE_EPOCH: '0', ...env }, cwd);

/** Four images deep (a warning, an error in strict mode), FROM scratch: fast to build and push. */
function pipelineRepo(registry: string): string {
  const dir = join(work, 'pipe');
  for (const [name, from] of [['os', 'scratch'], ['mid', 'os'], ['rt', 'mid'], ['app', 'rt']]) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'Dockerfile'), `FROM ${from}\nCOPY f /${name}\n`);
    writeFileSync(join(dir, name, 'f'), `${name}\n`);
  }
  writeFileSync(join(dir, 'pipeline.yml'), `version: 1
registry: { url: "${registry}", namespace: from-config }
images:
  os: { dockerfile: os/Dockerfile, version: "1.0" }
  mid: { dockerfile: mid/Dockerfile, from: os, version: "2.0" }
  rt: { dockerfile: rt/Dockerfile, from: mid, version: "3.0" }
  app: { dockerfile: app/Dockerfile, from: rt, tags: ["{sha}", "sha-{short}", "{branch}"] }
`);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'init');
  return dir;
}

function singleRepo(): string {
  const dir = join(work, 'single');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /\n');
  writeFileSync(join(dir, 'hello.txt'), 'hello\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'init');
  return dir;
}

/** A fresh build record (a push no longer needs one: where images go is part of the record and the registry is read). */
const forget = (dir: string) => rmSync(join(dir, '.pipeline'), { recursive: true, force: true });

type Plan = { name: string; action: string; reason: string; tags: string[] }[];

/** An OS/middleware repository's tags without the one unique tag of its build (`1.0-<inputs>`), which must be there. */
function versionTags(tags: string[]): string[] {
  const unique = tags.filter((t) => /^[\w.]+-[0-9a-f]{12}$/.test(t));
  assert.is(unique.length, 1, `one unique tag in ${tags.join(', ')}`);
  return tags.filter((t) => !unique.includes(t));
}

if (ok) {
  const anon = services().registries.anon.host;
  // pipeline.yml names an address nothing listens on: a push that lands proves the env setting won.
  const pipe = pipelineRepo('127.0.0.1:9');
  const single = singleRepo();
  const HEAD = git(pipe, 'rev-parse', 'HEAD');

  test('PIPELINE_IMAGES (and PLUGIN_IMAGES) choose the images: plan builds only those', async () => {
    for (const env of [{ PIPELINE_IMAGES: 'app' }, { PLUGIN_IMAGES: 'app' }] as Record<string, string>[]) {
      const r = await cli(['plan', '--json'], env, pipe);
      assert.is(r.code, 0, r.stderr);
      const plan = JSON.parse(r.stdout) as Plan;
      assert.equal(plan.map((p) => `${p.name} ${p.action}`), ['os skip', 'mid skip', 'rt skip', 'app build']);
    }
    // A fresh checkout: building only the base needs none of the images after it.
    forget(pipe);
    const built = await cli(['build', '--json'], { PIPELINE_IMAGES: 'os' }, pipe);
    assert.is(built.code, 0, built.stderr);
    assert.equal((JSON.parse(built.stdout) as { images: { name: string; action: string }[] }).images.map((i) => `${i.name} ${i.action}`), ['os built']);
    forget(pipe);
    const bad = await cli(['plan'], { PIPELINE_IMAGES: 'ap' }, pipe);
    assert.is(bad.code, 2);
    assert.match(bad.stderr, /unknown image 'ap' \(from PIPELINE_IMAGES\) \(did you mean 'app'\?\)/);
  });

  test('PIPELINE_TAGS replaces the images\' own tags (templates allowed); --tag above it', async () => {
    let plan = JSON.parse((await cli(['plan', '--json'], { PIPELINE_TAGS: 'rc1,{short}-x' }, pipe)).stdout) as Plan;
    assert.equal(plan.map((p) => p.tags), Array(4).fill(['rc1', `${HEAD.slice(0, 7)}-x`]));
    plan = JSON.parse((await cli(['plan', '--json', '-t', 'flagged'], { PIPELINE_TAGS: 'rc1' }, pipe)).stdout) as Plan;
    assert.equal(plan.map((p) => p.tags), Array(4).fill(['flagged']));
    const bad = await cli(['plan'], { PIPELINE_TAGS: '127.0.0.1:5000/x/app:1' }, pipe);
    assert.is(bad.code, 2);
    assert.match(bad.stderr, /Expected bare tags for the images of pipeline.yml .* from PIPELINE_TAGS/);
  });

  test('PIPELINE_SHA and PIPELINE_BRANCH (and --sha/--branch) are the commit the tags name', async () => {
    const sha = 'abcdef0123456789abcdef0123456789abcdef01';
    let plan = JSON.parse((await cli(['plan', '--json'], { PIPELINE_SHA: sha, PIPELINE_BRANCH: 'feature/Login' }, pipe)).stdout) as Plan;
    assert.equal(plan.find((p) => p.name === 'app')!.tags, [sha, 'sha-abcdef0', 'feature-Login']);
    plan = JSON.parse((await cli(['plan', '--json', '--sha', HEAD, '--branch', 'flag-br'], { PIPELINE_SHA: sha, PIPELINE_BRANCH: 'x' }, pipe)).stdout) as Plan;
    assert.equal(plan.find((p) => p.name === 'app')!.tags, [HEAD, `sha-${HEAD.slice(0, 7)}`, 'flag-br']);
    plan = JSON.parse((await cli(['plan', '--json'], {}, pipe)).stdout) as Plan;
    assert.equal(plan.find((p) => p.name === 'app')!.tags, [HEAD, `sha-${HEAD.slice(0, 7)}`, 'main'], 'without them: the checkout');
    const bad = await cli(['plan'], { PIPELINE_SHA: 'zzz' }, pipe);
    assert.is(bad.code, 2);
    assert.match(bad.stderr, /Expected a commit SHA \(7 to 64 hex digits\) from PIPELINE_SHA, got "zzz"/);
  });

  test('PIPELINE_STRICT (and PLUGIN_STRICT, --strict) reach build, plan and test: the deep chain is an error', async () => {
    for (const cmd of ['plan', 'build', 'test']) {
      const lax = await cli([cmd], {}, pipe);
      assert.not.match(lax.stderr, /error: .*images deep/, `${cmd} without strict mode only warns`);
      assert.match(lax.stderr, /warning: .*chain os → mid → rt → app is 4 images deep/, `${cmd}: ${lax.stderr}`);
      for (const env of [{ PIPELINE_STRICT: 'true' }, { PLUGIN_STRICT: '1' }] as Record<string, string>[]) {
        const r = await cli([cmd], env, pipe);
        assert.is(r.code, 2, `${cmd} ${JSON.stringify(env)}: ${r.stderr}`);
        assert.match(r.stderr, /error: .*pipeline\.yml:\d+:\d+: .*chain os → mid → rt → app is 4 images deep/);
      }
    }
    const off = await cli(['plan'], { PIPELINE_STRICT: 'false' }, pipe);
    assert.is(off.code, 0, off.stderr);
    forget(pipe);
  });

  test('PIPELINE_REGISTRY and PIPELINE_NAMESPACE: where the images are pushed (above pipeline.yml)', async () => {
    forget(pipe);
    const r = await cli(['build', '--push', '--no-test'], { PIPELINE_REGISTRY: anon, PIPELINE_NAMESPACE: `${NS}/env` }, pipe);
    assert.is(r.code, 0, r.stderr);
    assert.equal(versionTags(tagsOf(`${anon}/${NS}/env/os`)), ['1.0'], 'with the unique tag of its build (docs/tags.md)');
    assert.equal(tagsOf(`${anon}/${NS}/env/app`), [HEAD, 'main', `sha-${HEAD.slice(0, 7)}`].sort());
  });

  test('single image: PIPELINE_TAGS are its tags; PIPELINE_SHA labels and tags it; PIPELINE_BRANCH names the branch tag', async () => {
    const repo = `${anon}/${NS}/single`;
    let r = await cli(['build', '.', '--push', '--image', repo], { PIPELINE_TAGS: 'one,two' }, single);
    assert.is(r.code, 0, r.stderr);
    assert.equal(tagsOf(repo), ['one', 'two']);
    const sha = '0123456789abcdef0123456789abcdef01234567';
    r = await cli(['build', '.', '--push', '--image', `${repo}-sha`], { PIPELINE_SHA: sha, PIPELINE_BRANCH: 'release/2' }, single);
    assert.is(r.code, 0, r.stderr);
    assert.equal(tagsOf(`${repo}-sha`), [sha, 'release-2', 'sha-0123456'].sort());
    assert.is(labelsOf(`${repo}-sha:sha-0123456`)['org.opencontainers.image.revision'], sha);
  });

  test('GitLab: CI_REGISTRY_IMAGE is the default repository; a detached checkout takes CI_COMMIT_BRANCH', async () => {
    const head = git(single, 'rev-parse', 'HEAD');
    git(single, 'checkout', '-q', '--detach');
    try {
      const r = await cli(['build', '.', '--push'], { GITLAB_CI: 'true', CI: 'true', CI_REGISTRY_IMAGE: `${anon}/${NS}/gitlab`, CI_COMMIT_SHA: head, CI_COMMIT_BRANCH: 'gl-branch' }, single);
      assert.is(r.code, 0, r.stderr);
      assert.equal(tagsOf(`${anon}/${NS}/gitlab`), [head, 'gl-branch', `sha-${head.slice(0, 7)}`].sort());
    } finally {
      git(single, 'checkout', '-q', 'main');
    }
  });

  test('PIPELINE_INSECURE (and --insecure): plain HTTP to a registry that is not on loopback', async () => {
    // The registry, forwarded on an address of our own that is not loopback (an empty bridge this test
    // makes: no traffic leaves the machine), since loopback registries may always use HTTP.
    const address = '10.231.9.1';
    const dev = `plins${process.pid % 100000}`;
    await execa('ip', ['link', 'add', dev, 'type', 'bridge']); // an empty bridge: this kernel has no dummy links
    await execa('ip', ['addr', 'add', `${address}/32`, 'dev', dev], { reject: false }); // a crashed run's address still serves
    await execa('ip', ['link', 'set', dev, 'up']);
    const [host, port] = anon.split(':');
    const server: Server = createServer((c) => {
      const up = connect(Number(port), host);
      c.pipe(up).pipe(c);
      up.on('error', () => c.destroy());
      c.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => server.listen(0, address, r));
    const remote = `${address}:${(server.address() as { port: number }).port}`;
    try {
      const env = { PIPELINE_REGISTRY: remote, PIPELINE_NAMESPACE: `${NS}/insecure`, PIPELINE_IMAGES: 'os' };
      forget(pipe);
      const refused = await cli(['build', '--push', '--no-test'], env, pipe);
      assert.is(refused.code === 0, false, 'without insecure, it speaks https to a plain-HTTP registry and fails');
      assert.match(refused.stderr, new RegExp(`${remote.replace(/\./g, '\\.')}.*(TLS|SSL|https|wrong version)`, 'i'));
      for (const extra of [{ PIPELINE_INSECURE: 'true' }, { PLUGIN_INSECURE: 'yes' }] as Record<string, string>[]) {
        forget(pipe);
        const r = await cli(['build', '--push', '--no-test'], { ...env, ...extra }, pipe);
        assert.is(r.code, 0, r.stderr);
      }
      forget(pipe);
      const f = await cli(['build', '--push', '--no-test', '--insecure'], env, pipe);
      assert.is(f.code, 0, f.stderr);
      assert.equal(versionTags(tagsOf(`${anon}/${NS}/insecure/os`)), ['1.0']);
    } finally {
      server.close();
      await execa('ip', ['link', 'del', dev], { reject: false });
    }
  });
}

test.run();
