// The CI life of a three-layer repository (OS with RUN → middleware → app), every step in a FRESH
// CLONE as a CI runner makes it, through the bundled binary, against the real registry and engine:
// what each step builds, tests and pushes is read back from the registry (tags, manifests, its
// access log), and so is what it must not push.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needs, services } from '../lib/services.js';
import { runCli, type CliResult } from '../lib/cli.js';
import { accessLog, type AccessEntry } from '../lib/access-log.js';
import { tempDir } from '../lib/tmp.js';

const example = new URL('../../examples/three-layer/', import.meta.url).pathname;
const ok = needs(test, 'docker', 'registry', 'images');
const work = tempDir('pipeline-cascade-');
const src = join(work, 'src');
const REG = '127.0.0.1:5000';
const ns = `cascade-ci-${randomBytes(4).toString('hex')}`;
const cache = join(work, 'ci-cache'); // a CI runner's cache, kept between runs (fresh clones every time)
let clones = 0;

type Image = { name: string; action: string; digest: string; tags: string[]; tests: { name: string; ok: boolean }[]; testsReason?: string; pushed?: { tags: string[]; uploadedBytes: number } };
type Run = CliResult & { images: Image[]; writes: AccessEntry[]; dir: string };

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.com', ...args], { cwd, encoding: 'utf8' }).trim();
const commit = (msg: string) => {
  git(src, 'add', '-A');
  git(src, 'commit', '-qm', msg);
  return git(src, 'rev-parse', 'HEAD');
};
const edit = (file: string, from: string, to: string) => {
  const f = join(src, file);
  const text = readFileSync(f, 'utf8');
  assert.ok(text.includes(from), `${file} holds ${from}`);
  writeFileSync(f, text.replace(from, to));
};

/** git clone into a new directory (a CI runner's checkout). */
function freshClone(dir = join(work, `clone-${++clones}`)): string {
  mkdirSync(join(dir, '..'), { recursive: true });
  execFileSync('git', ['clone', '-q', src, dir]);
  return dir;
}

/**
 * What went into the registry under a namespace: blob data (PUT/PATCH of an upload), mounts,
 * manifests and tags, deletions. Opening an upload session and cancelling it (the credentials
 * check before a push) stores nothing.
 */
const writesTo = (entries: AccessEntry[], namespace = ns) =>
  entries.filter((e) => e.path.startsWith(`/v2/${namespace}/`) && (e.method === 'PUT' || e.method === 'PATCH' || (e.method === 'DELETE' && e.path.includes('/manifests/')) || (e.method === 'POST' && /[?&]mount=/.test(e.path))));

async function pipeline(dir: string, args: string[], env: Record<string, string> = {}, namespace = ns, cacheDir = cache): Promise<Run> {
  const log = accessLog('anon');
  const r = await runCli([...args, '--json', '--namespace', namespace, '--cache-dir', cacheDir], env, dir);
  const writes = writesTo(await log.since(), namespace);
  let images: Image[] = [];
  try {
    images = (JSON.parse(r.stdout) as { images?: Image[] }).images ?? [];
  } catch {
    /* an error document */
  }
  return { ...r, images, writes, dir };
}
const ci = (args: string[] = ['build', '--push'], env: Record<string, string> = {}) => pipeline(freshClone(), args, env);

async function registry(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`http://${REG}/v2/${path}`, { ...init, headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json', ...(init.headers ?? {}) } });
}
/** The image tags of a repository (the cosign-style `.tests` records apart). */
async function tagsOf(name: string, namespace = ns): Promise<string[]> {
  const res = await registry(`${namespace}/${name}/tags/list`);
  if (res.status === 404) return [];
  return (((await res.json()) as { tags: string[] }).tags ?? []).filter((t) => !t.endsWith('.tests')).sort();
}
async function digestOf(name: string, tag: string, namespace = ns): Promise<string | undefined> {
  const res = await registry(`${namespace}/${name}/manifests/${tag}`, { method: 'HEAD' });
  return res.status === 200 ? res.headers.get('docker-content-digest') ?? undefined : undefined;
}
async function testsRecorded(name: string, digest: string): Promise<boolean> {
  return (await registry(`${ns}/${name}/manifests/${digest.replace(':', '-')}.tests`, { method: 'HEAD' })).status === 200;
}
async function snapshot(): Promise<Record<string, Record<string, string | undefined>>> {
  const out: Record<string, Record<string, string | undefined>> = {};
  for (const n of ['os', 'node', 'app']) {
    out[n] = {};
    for (const t of await tagsOf(n)) out[n][t] = await digestOf(n, t);
  }
  return out;
}
const actions = (r: Run) => Object.fromEntries(r.images.map((i) => [i.name, i.action]));
const img = (r: Run, name: string) => r.images.find((i) => i.name === name)!;
const blobUploads = (w: AccessEntry[]) => w.filter((e) => (e.method === 'PUT' || e.method === 'PATCH') && /\/blobs\/uploads\//.test(e.path));
const manifestWrites = (w: AccessEntry[], name: string) => w.filter((e) => e.method === 'PUT' && e.path.startsWith(`/v2/${ns}/${name}/manifests/`));
const unique = (tags: string[], v: string) => tags.filter((t) => new RegExp(`^${v.replace(/\./g, '\\.')}-[0-9a-f]{12}$`).test(t));

const MARK = 'dev.pipeline.e2e-cascade';
const leftInEngine = () => execFileSync('docker', ['images', '-q', '--filter', `label=${MARK}=${ns}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
test.after(() => {
  const ids = ok ? leftInEngine() : [];
  if (ids.length) execFileSync('docker', ['rmi', '-f', ...new Set(ids)], { stdio: 'ignore' });
});

const history: Record<string, Record<string, Record<string, string | undefined>>> = {};

if (ok) {
  test('first commit: a fresh clone builds, tests and pushes OS → middleware → app, each with the tags the policy gives', async () => {
    cpSync(example, src, { recursive: true });
    // The OS builds on a base of this test's own, so a later step can update it.
    execFileSync('skopeo', ['copy', '-q', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${services().images.busybox}`, `docker://${REG}/${ns}/base:1.35.0`]);
    // A label of this test's own on the OS, inherited by node and app, finds what a run left in the shared engine.
    edit('images/os/Dockerfile', `FROM ${services().images.busybox}`, `FROM ${REG}/${ns}/base:1.35.0\nLABEL ${MARK}=${ns}`);
    edit('pipeline.yml', `from: "${services().images.busybox}"`, `from: "${REG}/${ns}/base:1.35.0"`);
    git(src, 'init', '-q', '-b', 'main');
    const sha = commit('first');
    const r = await ci();
    assert.is(r.code, 0, r.stderr);
    assert.equal(actions(r), { os: 'built', node: 'built', app: 'built' });
    for (const i of r.images) assert.ok(i.tests.length && i.tests.every((t) => t.ok), `${i.name} tested`);
    const os = await tagsOf('os');
    assert.equal(os.filter((t) => !unique([t], '1.0.0').length), ['1.0.0']);
    assert.is(unique(os, '1.0.0').length, 1, 'one unique tag for the one build of os 1.0.0');
    assert.is(await digestOf('os', unique(os, '1.0.0')[0]), img(r, 'os').digest);
    const node = await tagsOf('node');
    assert.equal(node.filter((t) => !unique([t], '20').length), ['20']);
    assert.equal(await tagsOf('app'), [sha, 'main', `sha-${sha.slice(0, 7)}`].sort());
    for (const n of ['os', 'node', 'app']) assert.ok(await testsRecorded(n, img(r, n).digest), `${n}: its passed tests are recorded beside it`);
    // Labels describe the image they are on: the app does not claim the OS's version.
    const labels = (ref: string) => (JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${REG}/${ns}/${ref}`], { encoding: 'utf8' })) as { Labels: Record<string, string> }).Labels;
    assert.is(labels('os:1.0.0').version, '1.0.0');
    assert.is(labels('node:20').version, '20');
    assert.is(labels(`app:${sha}`).version, sha.slice(0, 7));
    assert.is(labels(`app:${sha}`)['org.opencontainers.image.revision'], sha);
    history.first = await snapshot();
  });

  test('app-only commit: only the app is built and pushed; os and node are not touched', async () => {
    appendFileSync(join(src, 'app/server.js'), '// app change\n');
    const sha = commit('app change');
    const r = await ci();
    assert.is(r.code, 0, r.stderr);
    assert.equal(actions(r), { os: 'reused', node: 'reused', app: 'built' });
    assert.equal(img(r, 'os').tests, [], 'unchanged images with unchanged tests are not re-tested');
    assert.ok(img(r, 'app').tests.length);
    assert.equal(r.writes.filter((w) => !w.path.startsWith(`/v2/${ns}/app/`)), [], 'nothing written to os or node');
    const now = await snapshot();
    assert.equal(now.os, history.first.os);
    assert.equal(now.node, history.first.node);
    assert.is(now.app[sha], img(r, 'app').digest);
    assert.is(now.app.main, img(r, 'app').digest, 'the branch tag follows');
    assert.is(now.app[git(src, 'rev-parse', 'HEAD~1')], history.first.app[git(src, 'rev-parse', 'HEAD~1')], 'the SHA tag of the first commit did not move');
    history.app = now;
  });

  test('no-change commit: nothing is built or uploaded; the app gets the new commit\'s SHA tags on the same image', async () => {
    writeFileSync(join(src, 'README.md'), '# a change no image is made of\n');
    const sha = commit('docs');
    const r = await ci();
    assert.is(r.code, 0, r.stderr);
    assert.equal(actions(r), { os: 'reused', node: 'reused', app: 'reused' });
    assert.equal(blobUploads(r.writes), [], 'no blob uploaded');
    assert.equal(r.writes.filter((w) => !w.path.startsWith(`/v2/${ns}/app/manifests/`)), [], 'only app manifests (tags) written');
    assert.is(manifestWrites(r.writes, 'app').length, 3, 'the manifest by digest, then the two new SHA tags (main already there)');
    const now = await snapshot();
    assert.equal(now.os, history.app.os);
    assert.equal(now.node, history.app.node);
    assert.is(now.app[sha], history.app.app.main, 'the same image as the last commit');
    assert.is(now.app[`sha-${sha.slice(0, 7)}`], history.app.app.main);
    history.docs = now;
  });

  test('OS change: strict version tags stop before anything is pushed; the default policy cascades without --force', async () => {
    edit('images/os/Dockerfile', 'LABEL version="1.0.0"', 'LABEL version="1.0.1"');
    edit('images/os/Dockerfile', 'echo "company-os 1.0.0"', 'echo "company-os 1.0.1"');
    edit('pipeline.yml', 'contains: "company-os 1.0.0"', 'contains: "company-os 1.0.1"');
    const sha = commit('os 1.0.1');

    const strict = await ci(['build', '--push'], { PIPELINE_IMMUTABLE_TAGS: 'true' });
    assert.is(strict.code, 2, strict.stderr);
    assert.match(strict.stderr, new RegExp(`${ns}/node:20 \\(a version tag, immutable by tag-policy\\)`));
    assert.equal(strict.writes, [], 'nothing written: not a blob, not a tag');
    assert.equal(await snapshot(), history.docs);

    const planned = await ci(['plan', '--push']);
    assert.is(planned.code, 0, planned.stderr);
    const plan = JSON.parse(planned.stdout) as { name: string; action: string; tagPlan: { tag: string; state: string; kind: string; from?: string }[] }[];
    assert.equal(plan.map((p) => p.action), ['build', 'build', 'build']);
    const node20 = plan[1].tagPlan.find((t) => t.tag === '20')!;
    assert.equal([node20.state, node20.from], ['moves', history.docs.node['20']]);
    assert.equal(plan[0].tagPlan.map((t) => t.state), ['new', 'new'], 'os 1.0.1 and its unique tag are new');
    assert.equal(planned.writes, [], 'plan writes nothing');

    const r = await ci();
    assert.is(r.code, 0, r.stderr);
    assert.equal(actions(r), { os: 'built', node: 'built', app: 'built' });
    const now = await snapshot();
    // os: a new version, with its own unique tag; 1.0.0 and its unique tag stay where they were.
    for (const [t, d] of Object.entries(history.docs.os)) assert.is(now.os[t], d, `os:${t} did not move`);
    assert.is(now.os['1.0.1'], img(r, 'os').digest);
    assert.is(await digestOf('os', unique(Object.keys(now.os), '1.0.1')[0]), img(r, 'os').digest);
    // node: same version rebuilt on the new OS – 20 moves, the new build has its own unique tag, the old one keeps its own.
    assert.is(now.node['20'], img(r, 'node').digest);
    assert.is.not(now.node['20'], history.docs.node['20']);
    const nodeUnique = unique(Object.keys(now.node), '20');
    assert.is(nodeUnique.length, 2);
    assert.equal(nodeUnique.map((t) => now.node[t]).sort(), [history.docs.node['20'], img(r, 'node').digest].sort());
    // app: this commit's SHA tags; the earlier commits' SHA tags still name their images.
    assert.is(now.app[sha], img(r, 'app').digest);
    for (const [t, d] of Object.entries(history.docs.app)) if (t !== 'main') assert.is(now.app[t], d, `app:${t} did not move`);
    assert.ok(!r.images.some((i) => i.pushed && i.pushed.uploadedBytes > 0 && i.name === 'app' && i.pushed.uploadedBytes > 1_000_000), 'the app\'s base layers were mounted, not uploaded');
    history.os = now;
  });

  test('test-only change: the changed test runs without a rebuild; failing, it fails the run and nothing is pushed', async () => {
    edit('pipeline.yml', 'expect-output: "42"', 'expect-output: "43"');
    const bad = commit('node test expects 43');
    const r = await ci();
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /tests of image node failed: run node -e/);
    assert.match(r.stderr, /nothing was pushed/);
    assert.equal(r.writes, [], 'nothing written');
    assert.is(await digestOf('app', bad), undefined, 'no tag for the failing commit');
    // The failure is remembered: the same checkout never calls node up to date.
    const again = await pipeline(r.dir, ['build']);
    assert.is(again.code, 1, 'a test that failed before runs again');

    edit('pipeline.yml', 'expect-output: "43"', 'expect-output: "42"');
    edit('pipeline.yml', '- { user: non-root }\n    commands:\n      - { run: "node -e', '- { user: non-root }\n      - { file: /etc/company/node-release, contains: "node " }\n    commands:\n      - { run: "node -e');
    const good = commit('node tests: one more check');
    const fixed = await ci();
    assert.is(fixed.code, 0, fixed.stderr);
    assert.equal(actions(fixed), { os: 'reused', node: 'reused', app: 'reused' });
    assert.is(img(fixed, 'node').testsReason, 'tests changed');
    assert.is(img(fixed, 'node').tests.length, 4, 'the changed tests ran, the new check among them');
    assert.equal(img(fixed, 'os').tests, []);
    assert.equal(fixed.images.map((i) => i.pushed?.uploadedBytes ?? 0), [0, 0, 0], 'no image blob uploaded');
    assert.ok(blobUploads(fixed.writes).length <= 1, 'one small blob at most: the tests record');
    const nodeDigest = history.os.node['20']!;
    assert.is(await digestOf('node', '20'), nodeDigest, 'node was not rebuilt');
    assert.ok(fixed.writes.some((w) => w.path === `/v2/${ns}/node/manifests/${nodeDigest.replace(':', '-')}.tests`), 'the new tests are recorded beside node');
    assert.is(await digestOf('app', good), history.os.app.main);
  });

  test('build, then push: the push sends what was built (no rebuild), here and to a namespace that has never seen it', async () => {
    appendFileSync(join(src, 'app/server.js'), '// built first, pushed later\n');
    const sha = commit('app change, pushed later');
    const dir = freshClone();
    const b = await pipeline(dir, ['build']);
    assert.is(b.code, 0, b.stderr);
    assert.equal(actions(b), { os: 'reused', node: 'reused', app: 'built' });
    assert.equal(b.writes, [], 'a build without --push writes nothing');
    const p = await pipeline(dir, ['build', '--push']);
    assert.is(p.code, 0, p.stderr);
    assert.equal(actions(p), { os: 'reused', node: 'reused', app: 'reused' });
    assert.equal(img(p, 'app').tests, [], 'its tests passed in the build');
    assert.is(await digestOf('app', sha), img(b, 'app').digest);
    assert.is(img(p, 'app').pushed?.tags.includes(sha), true);

    const other = `${ns}-mirror`;
    const m = await pipeline(dir, ['build', '--push'], {}, other);
    assert.is(m.code, 0, m.stderr);
    assert.equal(actions(m), { os: 'reused', node: 'reused', app: 'reused' }, 'nothing rebuilt for another destination');
    for (const n of ['os', 'node', 'app']) assert.ok(img(m, n).pushed, `${n} pushed to ${other}`);
    assert.is(await digestOf('os', '1.0.1', other), history.os.os['1.0.1']);
    assert.is(await digestOf('node', '20', other), history.os.node['20']);
    assert.is(await digestOf('app', sha, other), img(b, 'app').digest);
  });

  test('two fresh clones at different paths, with nothing to reuse, build the digests the registry already holds', async () => {
    const digests: Record<string, string>[] = [];
    for (const dir of [join(work, 'a'), join(work, 'some', 'much', 'deeper', 'checkout', 'b')]) {
      freshClone(dir);
      const r = await pipeline(dir, ['build'], {}, `${ns}-fresh-${digests.length}`, join(dir, '..', `cache-${digests.length}`));
      assert.is(r.code, 0, r.stderr);
      assert.equal(actions(r), { os: 'built', node: 'built', app: 'built' });
      digests.push(Object.fromEntries(r.images.map((i) => [i.name, i.digest])));
    }
    assert.equal(digests[0], digests[1]);
    const head = git(src, 'rev-parse', 'HEAD');
    assert.equal(digests[0], { os: await digestOf('os', '1.0.1'), node: await digestOf('node', '20'), app: await digestOf('app', head) });
  });

  test('the OS base is updated under the same tag: a commit\'s app never changes; the bases alone, then the next commit, take it up', async () => {
    // A new base image under the tag the OS is built FROM (a security update, say): no commit.
    const upd = join(work, 'base-update');
    mkdirSync(upd);
    writeFileSync(join(upd, 'Dockerfile'), `FROM ${services().images.busybox}\nCOPY patch /etc/patch-level\n`);
    writeFileSync(join(upd, 'patch'), '2\n');
    const pushed = await runCli(['build', upd, '--push', '--image', `${REG}/${ns}/base`, '--tag', '1.35.0', '--cache-dir', cache]);
    assert.is(pushed.code, 0, pushed.stderr);
    const before = await snapshot();
    const head = git(src, 'rev-parse', 'HEAD');

    const same = await ci();
    assert.is(same.code, 2, same.stderr);
    assert.match(same.stderr, new RegExp(`${ns}/app:${head} \\(a commit's SHA tag\\)`));
    assert.equal(same.writes, []);
    assert.equal(await snapshot(), before);

    const bases = await ci(['build', '--push', 'os', 'node']);
    assert.is(bases.code, 0, bases.stderr);
    assert.equal(actions(bases), { os: 'built', node: 'built' }, 'the app, neither chosen nor under a chosen image, is left alone');
    assert.ok(img(bases, 'os').tests.length, 'the rebuilt os was tested');
    const now = await snapshot();
    assert.is(now.os['1.0.1'], img(bases, 'os').digest, 'the version tag follows the rebuild');
    assert.is(unique(Object.keys(now.os), '1.0.1').length, 2, 'each build of 1.0.1 has its own unique tag');
    for (const t of unique(Object.keys(before.os), '1.0.1')) assert.is(now.os[t], before.os[t], 'the first build of 1.0.1 keeps its unique tag');
    assert.is(now.node['20'], img(bases, 'node').digest);
    assert.equal(now.app, before.app);

    writeFileSync(join(src, 'README.md'), '# picks up the base update\n');
    const sha = commit('next commit');
    const next = await ci();
    assert.is(next.code, 0, next.stderr);
    assert.equal(actions(next), { os: 'reused', node: 'reused', app: 'built' });
    assert.is(await digestOf('app', sha), img(next, 'app').digest);
    assert.equal(next.writes.filter((w) => !w.path.startsWith(`/v2/${ns}/app/`)), []);
  });

  test('the images loaded into the engine for RUN steps and image tests were all removed after them', () => {
    assert.equal(leftInEngine(), []);
  });
}

test.run();
