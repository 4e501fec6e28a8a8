#!/usr/bin/env node
// The three-layer cascade in CI (issue 11), on examples/three-layer against the local registry:
// every run is `pipeline build --push` in a FRESH CLONE, as a CI runner does, measured for
//   - a commit that changes no image (docs), an app-only commit, an OS change cascading to all three;
//   - each with a fresh cache dir (an ephemeral runner) and with a kept one (a runner with a cache);
// and what finding each image's time costs in git: one `git log` per image (pipeline) against one
// per file (the naive way), on the example and on a generated repository of a few thousand commits.
// Writes bench/results/cascade.json and cascade.md.   node bench/cascade.mjs [--runs N]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/cli/bin/pipeline.js');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const work = mkdtempSync(join(tmpdir(), 'pipeline-bench-cascade-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true })); // also when a run fails
const src = join(work, 'src');
const ns = `bench-cascade-${Date.now().toString(36)}`;
const results = { date: new Date().toISOString(), machine: `${cpus().length} cores`, node: process.version, runs, load: {}, ci: {}, git: {} };

const git = (cwd, ...args) => execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], { cwd, encoding: 'utf8' }).trim();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let clones = 0;

/** `pipeline build --push` in a fresh clone: seconds, and what the run did per image. */
function ciRun(cache, extra = []) {
  const dir = join(work, `clone-${++clones}`);
  git(work, 'clone', '-q', src, dir);
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, 'build', '--push', '--json', ...extra, '--namespace', ns, '--cache-dir', cache ?? join(work, `cache-${clones}`)], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
  const s = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`pipeline build --push failed (${r.status}): ${r.stderr}`);
  rmSync(dir, { recursive: true, force: true });
  const images = JSON.parse(r.stdout).images.map((i) => `${i.name}:${i.action}`).join(' ');
  return { s, images };
}

function measure(label, change, cache, extra) {
  const times = [];
  let images = '';
  for (let i = 0; i < runs; i++) {
    change(i);
    git(src, 'add', '-A');
    git(src, 'commit', '-qm', `${label} ${i}`);
    const r = ciRun(cache, extra);
    times.push(r.s);
    images = r.images;
    console.log(`${label.padEnd(44)} ${r.s.toFixed(2)} s  (${r.images})`);
  }
  return { medianS: +median(times).toFixed(2), minS: +Math.min(...times).toFixed(2), maxS: +Math.max(...times).toFixed(2), images };
}

spawnSync('bash', [join(root, 'test/services/start')], { stdio: 'inherit' });
results.load.before = loadavg().map((x) => +x.toFixed(2));
cpSync(join(root, 'examples/three-layer'), src, { recursive: true });
git(src, 'init', '-q', '-b', 'main');
git(src, 'add', '-A');
git(src, 'commit', '-qm', 'first');
const first = ciRun(join(work, 'kept-cache'));
console.log(`first commit (cold, all three built)            ${first.s.toFixed(2)} s`);
results.ci.firstCommitS = +first.s.toFixed(2);

const docs = (i) => writeFileSync(join(src, 'README.md'), `docs ${i}\n`);
const app = (i) => appendFileSync(join(src, 'app/server.js'), `// change ${i}\n`);
const os = (i) => {
  const f = join(src, 'images/os/Dockerfile');
  writeFileSync(f, readFileSync(f, 'utf8').replace(/ENV TZ=UTC.*/, `ENV TZ=UTC BENCH=${Date.now()}-${i}`));
};
// With tests (what CI runs), then without them: the build and push alone (the app's smoke test boots a container).
const KINDS = [['fresh cache', undefined, []], ['kept cache', join(work, 'kept-cache'), []], ['kept cache, --no-test', join(work, 'kept-cache'), ['--no-test']]];
for (const [kind, cache, extra] of KINDS) {
  results.ci[kind] = {
    noChange: measure(`no-change commit, ${kind}`, docs, cache, extra),
    appOnly: measure(`app-only commit, ${kind}`, app, cache, extra),
    osCascade: measure(`OS change → node → app, ${kind}`, os, cache, extra),
  };
}

// --- git: the time of each image's inputs -----------------------------------------------------
const { inputTimes } = await import(join(root, 'packages/cli/dist/pipeline/input-time.js'));
const { loadConfig } = await import(join(root, 'packages/cli/dist/config/index.js'));
const { readGitInfo } = await import(join(root, 'packages/build/dist/index.js'));
const quiet = { debug() {}, info() {}, warn() {}, progress() {}, group: (_t, f) => f() };

async function pipelineTimes(dir) {
  const cfg = await loadConfig(join(dir, 'pipeline.yml'));
  const gitInfo = await readGitInfo(dir);
  const best = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const it = inputTimes(cfg, { git: gitInfo, env: {}, logger: quiet });
    await Promise.all(cfg.order.map((n) => it.of(n)));
    it.close();
    best.push(performance.now() - t);
  }
  return { images: cfg.order.length, ms: +Math.min(...best).toFixed(1) };
}
/** The naive way: `git log -1` per file of the inputs. */
function perFile(dir, paths) {
  const files = git(dir, 'ls-files', '--', ...paths).split('\n').filter(Boolean);
  const t = performance.now();
  for (const f of files) git(dir, 'log', '-1', '--format=%H %ct', '--', f);
  return { files: files.length, ms: +(performance.now() - t).toFixed(1) };
}

results.git.example = { commits: Number(git(src, 'rev-list', '--count', 'HEAD')), pipeline: await pipelineTimes(src), perFile: perFile(src, ['images', 'app', 'pipeline.yml']) };
console.log(`git, example (${results.git.example.commits} commits): ${results.git.example.pipeline.ms} ms for 3 images; per file: ${results.git.example.perFile.ms} ms for ${results.git.example.perFile.files} files`);

// A repository of a few thousand commits: the example plus 300 files in the app, a long history of
// other work (docs, a service of 50 files), the images' inputs last changed early on – the worst
// case, the walk reads most of the history.
const big = join(work, 'big');
cpSync(join(root, 'examples/three-layer'), big, { recursive: true });
for (let i = 0; i < 300; i++) writeFileSync(join(big, 'app', `mod${i}.js`), `module.exports = ${i};\n`);
mkdirSync(join(big, 'service'));
git(big, 'init', '-q', '-b', 'main');
git(big, 'add', '-A');
git(big, 'commit', '-qm', 'first');
const N = 3000;
const stream = [];
const mark = Date.now();
// fast-import: 3000 commits in well under a second.
for (let i = 0; i < N; i++) {
  const body = `${i}\n`;
  const msg = `change ${i}\n`;
  stream.push(`commit refs/heads/main\ncommitter b <b@b> ${1_700_000_000 + i} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}${i === 0 ? 'from refs/heads/main^0\n' : ''}M 100644 inline ${i % 3 === 0 ? 'docs/notes.md' : `service/f${i % 50}.txt`}\ndata ${Buffer.byteLength(body)}\n${body}\n`);
}
execFileSync('git', ['fast-import', '--quiet'], { cwd: big, input: stream.join('') });
git(big, 'reset', '-q', '--hard', 'main');
results.git.big = { commits: Number(git(big, 'rev-list', '--count', 'HEAD')), setupMs: Date.now() - mark, pipeline: await pipelineTimes(big), perFile: perFile(big, ['images', 'app', 'pipeline.yml']) };
console.log(`git, ${results.git.big.commits} commits: ${results.git.big.pipeline.ms} ms for 3 images; per file: ${results.git.big.perFile.ms} ms for ${results.git.big.perFile.files} files`);
results.load.after = loadavg().map((x) => +x.toFixed(2));

mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/cascade.json'), JSON.stringify(results, null, 2) + '\n');
const row = (label, r) => `| ${label} | ${r.medianS} s (${r.minS}–${r.maxS}) | ${r.images} |`;
const md = [
  `Cascade benchmarks of ${results.date.slice(0, 10)} (${results.machine}, Node ${results.node}; load average ${results.load.before.join(' / ')} before, ${results.load.after.join(' / ')} after): examples/three-layer, \`pipeline build --push\` in a fresh clone each time, median of ${runs} (min–max).`,
  '',
  `First commit, everything built and pushed: ${results.ci.firstCommitS} s.`,
  '',
  '| CI run (fresh clone) | time | images |',
  '|---|---|---|',
  ...KINDS.map(([k]) => k).flatMap((k) => [row(`no-change commit, ${k}`, results.ci[k].noChange), row(`app-only commit, ${k}`, results.ci[k].appOnly), row(`OS change cascading to node and app, ${k}`, results.ci[k].osCascade)]),
  '',
  '| git: time of every image\'s inputs | commits | pipeline (one `git log` per image) | per file (`git log -1` each) |',
  '|---|---|---|---|',
  `| example | ${results.git.example.commits} | ${results.git.example.pipeline.ms} ms (3 images) | ${results.git.example.perFile.ms} ms (${results.git.example.perFile.files} files) |`,
  `| generated, inputs last changed at the first commit | ${results.git.big.commits} | ${results.git.big.pipeline.ms} ms (3 images) | ${results.git.big.perFile.ms} ms (${results.git.big.perFile.files} files) |`,
  '',
];
writeFileSync(join(root, 'bench/results/cascade.md'), md.join('\n'));
console.log(md.join('\n'));
