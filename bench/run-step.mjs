#!/usr/bin/env node
// RUN steps (branch run-exec, issues 10/11/12): the time of a build with RUN steps per executor
// against `docker build` of the same Dockerfile on the same engine, and the marginal cost of one
// more RUN step; plus the chroot executor's snapshot (the walk of its root each RUN pays), measured
// on the unpacked node base + an app's node_modules + 40,000 files.
//   node bench/run-step.mjs [--runs N] [--before-cli PATH]   (as root: the chroot executor needs it)
// --before-cli: another checkout's binary (e.g. the parent commit's), run alternately with this one
// in every round, so both see the same load (this machine is shared: minimums over rounds).
// Results: bench/results/run-step.json and run-step.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFixture } from './fixture.mjs';
import { snapshotBefore } from './snapshot-before.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const clis = { after: join(root, 'packages/cli/bin/pipeline.js'), ...(arg('--before-cli') ? { before: arg('--before-cli') } : {}) };
const runs = Number(arg('--runs', '3'));
const REG_BASE = '127.0.0.1:5000/base/node:20';
const LOCAL_BASE = 'pipeline-test/node:20';
const tag = `run-exec-bench-${Date.now().toString(36)}`;
const work = mkdtempSync(join(tmpdir(), 'bench-run-step-'));
const env = { ...process.env, SOURCE_DATE_EPOCH: '1700000000' };
const loads = [];
// Debian's docker.io client (test/services/packages) runs the engine's BuildKit without the buildx plugin.
const DOCKER_CLIENT = '/usr/bin/docker';

execFileSync('bash', [join(root, 'test/services/start')], { stdio: 'inherit' });

function timed(what, cmd, args, extraEnv = {}) {
  loads.push(loadavg()[0]);
  const t = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26, env: { ...env, ...extraEnv } });
  const s = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr}`);
  console.log(`${what.padEnd(64)} ${s.toFixed(2)} s`);
  return s;
}

// The app's node_modules (bench/fixture.mjs: ~4,300 files) goes in first: a RUN's snapshot walks it.
const fx = makeFixture(REG_BASE);
function dockerfile(base, n) {
  const steps = Array.from({ length: n }, (_, i) => (i % 2 ? `RUN node -e "require('fs').writeFileSync('/step${i}', '${i}')"` : `RUN echo ${i} > /step${i} && ls /usr/local/bin > /dev/null`));
  return `FROM ${base}\nCOPY node_modules /app/node_modules\n${steps.join('\n')}\n`;
}

// builds[n][who] = best seconds; who: `${version} ${executor}` or `docker`; samples[n][who] = every round's.
const builds = {};
const samples = {};
for (const n of [1, 3]) {
  const ctx = join(work, `ctx${n}`);
  mkdirSync(ctx, { recursive: true });
  execFileSync('cp', ['-a', join(fx.app, 'node_modules'), ctx]);
  writeFileSync(join(ctx, 'Dockerfile'), dockerfile(REG_BASE, n));
  writeFileSync(join(ctx, 'Dockerfile.docker'), dockerfile(LOCAL_BASE, n));
  const row = (builds[n] = {});
  const all = (samples[n] = {});
  const keep = (who, s) => ((row[who] = Math.min(row[who] ?? Infinity, s)), (all[who] ??= []).push(+s.toFixed(2)));
  for (const [version, bin] of Object.entries(clis)) for (const ex of ['engine', 'chroot']) {
    // Warm: the base's blobs in the store (docker has its base too); then never the RUN cache.
    timed(`warm ${version} ${ex}`, 'node', [bin, 'build', ctx, '--executor', ex, '--cache-dir', join(work, `cache-${version}`), '-o', `oci:${join(work, 'warm')}`]);
  }
  for (let round = 0; round < runs; round++) {
    for (const [version, bin] of Object.entries(clis)) for (const ex of ['engine', 'chroot']) {
      keep(`${version} ${ex}`, timed(`${version}: --executor ${ex}, ${n} RUN`, 'node', [bin, 'build', ctx, '--executor', ex, '--no-cache', '--cache-dir', join(work, `cache-${version}`), '-o', `oci:${join(work, 'out')}`]));
    }
    // Docker's builder: the engine's BuildKit (Debian's docker.io client runs it without buildx).
    keep('docker', timed(`docker build --no-cache (BuildKit), ${n} RUN`, DOCKER_CLIENT, ['build', '--no-cache', '-q', '--network', 'none', '-t', `${tag}:${n}`, '-f', join(ctx, 'Dockerfile.docker'), ctx], { DOCKER_BUILDKIT: '1' }));
    spawnSync(DOCKER_CLIENT, ['rmi', `${tag}:${n}`], { stdio: 'ignore' });
  }
}
// Before run-exec the engine executor left an untagged image per RUN state: remove this bench's.
for (const id of execFileSync('docker', ['images', '-q', '--filter', 'dangling=true'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
  const h = spawnSync('docker', ['history', '--no-trunc', '--format', '{{.CreatedBy}}', id], { encoding: 'utf8' }).stdout ?? '';
  if (h.includes('ls /usr/local/bin > /dev/null') && h.includes('COPY node_modules /app/node_modules')) spawnSync('docker', ['rmi', id], { stdio: 'ignore' });
}
const perRun = Object.fromEntries(Object.keys(builds[1]).map((k) => [k, +((builds[3][k] - builds[1][k]) / 2).toFixed(2)]));

// The chroot snapshot: the walk of the root (before run-exec: promise lstat per entry, twice per RUN).
const { unpackImage, privateRoot } = await import(join(root, 'packages/build/dist/executor/rootfs.js'));
const { snapshot } = await import(join(root, 'packages/build/dist/executor/snapshot.js'));
const { loadImageSource, parseImageSource } = await import(join(root, 'packages/build/dist/sources/resolve.js'));
const { registryReader } = await import(join(root, 'packages/build/dist/sources/registry-reader.js'));
const base = await loadImageSource(parseImageSource(REG_BASE, work), { store: join(work, 'cache-after/store'), registry: registryReader({}) });
const priv = await privateRoot('bench-snapshot-');
await unpackImage(base.image, priv.root, { owners: true });
execFileSync('cp', ['-a', join(fx.app, 'node_modules'), join(priv.root, 'app-node_modules')]);
for (let d = 0; d < 400; d++) {
  const dir = join(priv.root, 'usr/share/bench', `d${d}`);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 100; i++) writeFileSync(join(dir, `f${i}`), '');
}
const ms = async (f) => {
  let min = Infinity;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await f();
    min = Math.min(min, performance.now() - t);
  }
  return +min.toFixed(1);
};
const snap = { entries: (await snapshot(priv.root)).size, beforeWalkMs: await ms(() => snapshotBefore(priv.root)), afterWalkMs: await ms(() => snapshot(priv.root)) };
Object.assign(snap, { beforePerRunMs: +(2 * snap.beforeWalkMs).toFixed(1), afterPerRunMs: snap.afterWalkMs });
await priv.dispose();

const load = { min: +Math.min(...loads).toFixed(1), max: +Math.max(...loads).toFixed(1), end: +loadavg()[0].toFixed(1) };
const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD']).toString().trim();
const results = { date: new Date().toISOString(), machine: `${execFileSync('nproc').toString().trim()} cores`, commit, load, runs, builds, samples, perRun, snapshot: snap };
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/run-step.json'), JSON.stringify(results, null, 2) + '\n');

const f = (s) => (s === undefined ? '–' : `${s.toFixed(2)} s`);
const who = Object.keys(builds[1]);
const md = [
  `RUN steps, ${results.date.slice(0, 10)}, ${results.machine} shared with other work (1-minute load ${load.min}–${load.max} during the builds): minimum over ${runs} rounds, each round running every variant once.`,
  `Dockerfile: FROM node:20 (~100 MB; pipeline reads it from the local registry, docker has it in the engine), COPY of an app's node_modules (~4,300 files), then 1 or 3 RUN steps; no cache. \`before\` is the parent commit of branch run-exec, \`after\` this commit (${commit}).`,
  '',
  '| build | 1 RUN | 3 RUN | one more RUN | every round, 1 RUN; 3 RUN |',
  '|---|---|---|---|---|',
  ...who.map((k) => `| ${k === 'docker' ? 'docker build (BuildKit)' : `pipeline ${k}`} | ${f(builds[1][k])} | ${f(builds[3][k])} | ${f(perRun[k])} | ${samples[1][k].join(', ')}; ${samples[3][k].join(', ')} s |`),
  '',
  "Read the engine rows with their first round: before this branch the engine executor left every state it loaded in the engine (the leak of issue 11), so from the second round on it found them there and loaded nothing; now each build removes what it loaded and loads its states again (only the layers the engine lacks).",
  '',
  `Chroot snapshot of a root of ${snap.entries} entries (node base + node_modules + 40,000 files), best of 5: before ${snap.beforeWalkMs} ms per walk × 2 walks per RUN = ${snap.beforePerRunMs} ms; after ${snap.afterWalkMs} ms, one walk per RUN (the last step's is reused).`,
];
writeFileSync(join(root, 'bench/results/run-step.md'), md.join('\n') + '\n');
console.log(md.join('\n'));
rmSync(work, { recursive: true, force: true });
