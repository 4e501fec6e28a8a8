#!/usr/bin/env node
// Benchmarks, side by side with peers in one run (the ratio is what counts: the fastest peer
// differs between runs). Writes bench/results/latest.json and latest.md; the README quotes them.
//   node bench/run.mjs            everything (needs root: services, apt for buildah and GNU time)
//   node bench/run.mjs --no-peers pipeline's own figures only
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync, readFileSync, copyFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFixture, work, app } from './fixture.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/cli/bin/pipeline.js');
const peers = !process.argv.includes('--no-peers');
const run = Date.now().toString(36);
const REG = '127.0.0.1:5000';
const BASE = `${REG}/base/node:20`;
const results = { date: new Date().toISOString(), machine: `${execFileSync('nproc').toString().trim()} cores`, node: process.version, build: {}, push: {} };

const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26, ...opts });
function timed(label, cmd, args, opts = {}) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26, ...opts });
  const s = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr}`);
  console.log(`${label.padEnd(48)} ${s.toFixed(2)} s`);
  return { s, stdout: r.stdout.toString() };
}
function best(n, f) {
  let min = Infinity;
  for (let i = 0; i < n; i++) min = Math.min(min, f());
  return min;
}
const aptHas = (p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status === 0;

sh('bash', [join(root, 'test/services/start')], { stdio: 'inherit' });
for (const p of ['time', ...(peers ? ['buildah'] : [])]) if (!aptHas(p)) sh('apt-get', ['install', '-y', '-qq', p], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
const fx = makeFixture(BASE);
results.fixture = { files: fx.files, mib: +(fx.bytes / 1048576).toFixed(1) };
console.log(`fixture: ${fx.files} files, ${results.fixture.mib} MiB`);

// --- issue 3: daemonless build ----------------------------------------------------------------
const env = { ...process.env, SOURCE_DATE_EPOCH: '1700000000' };
const baseline = best(3, () => timed('tar -cf - app | gzip -1 | sha256sum', 'bash', ['-c', 'tar -cf - node_modules src | gzip -1 | sha256sum'], { cwd: app }).s);
const cache = join(work, `cache-${run}`);
const out = join(work, `oci-${run}`);
// The base's blobs are fetched once into the store first, so "cold" measures our layers, as the baseline does.
timed('warm the base blobs into the store', 'node', [bin, 'build', app, '-o', `oci:${join(work, 'warm')}`, '--cache-dir', cache], { env });
rmSync(join(cache, 'layers'), { recursive: true, force: true });
rmSync(join(cache, 'stat'), { recursive: true, force: true });
// Best of three, as the baseline: each time with no layer cache, no stat cache and a new output.
const cold = best(3, () => {
  rmSync(join(cache, 'layers'), { recursive: true, force: true });
  rmSync(join(cache, 'stat'), { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  return timed('pipeline build → OCI layout, cold layer cache', 'node', [bin, 'build', app, '-o', `oci:${out}`, '--cache-dir', cache], { env }).s;
});
const noChange = best(3, () => timed('pipeline build, nothing changed', 'node', [bin, 'build', app, '-o', `oci:${out}`, '--cache-dir', cache], { env }).s);
const src = join(app, 'src/server.js');
const orig = readFileSync(src);
let n = 0;
const oneFile = best(3, () => {
  appendFileSync(src, `// change ${n++}\n`);
  return timed('pipeline build, one source file changed', 'node', [bin, 'build', app, '-o', `oci:${out}`, '--cache-dir', cache], { env }).s;
});
writeFileSync(src, orig);
Object.assign(results.build, { baselineS: baseline, coldS: cold, coldRatio: +(cold / baseline).toFixed(2), noChangeS: noChange, oneFileChangedS: oneFile });

// Peak RSS on a 1 GiB context (16 × 64 MiB incompressible files): streaming, never whole files in memory.
const big = join(work, 'big');
if (!existsSync(join(big, '.done'))) {
  mkdirSync(big, { recursive: true });
  for (let i = 0; i < 16; i++) {
    const fd = openSync(join(big, `blob${i}.bin`), 'w');
    for (let j = 0; j < 64; j++) writeSync(fd, randomBytes(1 << 20));
    closeSync(fd);
  }
  writeFileSync(join(big, 'Dockerfile'), 'FROM scratch\nCOPY . /data\n');
  writeFileSync(join(big, '.dockerignore'), 'Dockerfile\n.done\n');
  writeFileSync(join(big, '.done'), '');
}
const rss = spawnSync('/usr/bin/time', ['-f', '%M %e', 'node', bin, 'build', big, '-o', `oci:${join(work, `big-${run}`)}`, '--cache-dir', join(work, `big-cache-${run}`), '-q'], { env, encoding: 'utf8' });
const [kb, secs] = rss.stderr.trim().split('\n').pop().split(' ').map(Number);
results.build.bigContext = { gib: 1, peakRssMiB: Math.round(kb / 1024), seconds: secs };
console.log(`1 GiB context: peak RSS ${Math.round(kb / 1024)} MiB, ${secs} s`);
rmSync(join(work, `big-${run}`), { recursive: true, force: true });
rmSync(join(work, `big-cache-${run}`), { recursive: true, force: true });

// What a cold cache pays for the base's filesystem index (COPY resolves destinations in the base):
// the base's blobs streamed once and their tar headers read; cached per layer digest afterwards.
const idx = spawnSync('node', ['--import', 'tsx', join(root, 'bench/base-index.mjs'), BASE], { cwd: root, encoding: 'utf8' });
if (idx.status === 0) {
  results.build.baseIndex = JSON.parse(idx.stdout.trim().split('\n').pop());
  console.log(`base index, cold: ${results.build.baseIndex.seconds} s, ${(results.build.baseIndex.bytesRead / 1048576).toFixed(1)} MiB read`);
}

// --- issue 4: build + push side by side ----------------------------------------------------------
const push = {};
// Content no registry and no local store has seen, in both layers: "cold" for every tool, so
// nobody mounts or skips a blob an earlier run pushed (docker remembers digests it pushed).
const nonces = [join(app, 'node_modules/.bench-run'), join(app, 'src/.bench-run')];
for (const n of nonces) writeFileSync(n, `${run}\n`);
const pcache = join(work, `pcache-${run}`);
push.pipelineColdS = timed('pipeline build --push (cold cache, new repo)', 'node', [bin, 'build', app, '--push', '--image', `${REG}/bench/pipeline-${run}`, '--tag', 'v1', '--cache-dir', pcache, '-q'], { env }).s;
appendFileSync(src, '// push change\n');
push.pipelineOneFileS = timed('pipeline build --push, one file changed', 'node', [bin, 'build', app, '--push', '--image', `${REG}/bench/pipeline-${run}`, '--tag', 'v2', '--cache-dir', pcache, '-q'], { env }).s;
writeFileSync(src, orig);
push.pipelineSameS = timed('pipeline build --push, same commit again', 'node', [bin, 'build', app, '--push', '--image', `${REG}/bench/pipeline-${run}`, '--tag', 'v1', '--cache-dir', pcache, '-q'], { env }).s;
if (peers) {
  // A cold docker build has none of the base's layers. Any local image sharing them (earlier
  // runs, test images built on the base) keeps them and makes the pull instant, so every image
  // whose layers start with the base's first layer goes, then dangling ones; services/start
  // makes the test images again afterwards.
  const layersOf = (ids) => JSON.parse(spawnSync('docker', ['image', 'inspect', ...ids], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout || '[]').map((i) => ({ id: i.Id, layers: i.RootFS?.Layers ?? [] }));
  const baseLayer = layersOf(['pipeline-test/node:20'])[0]?.layers[0];
  const all = () => layersOf([...new Set(spawnSync('docker', ['image', 'ls', '-aq'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean))]);
  const sharing = () => (baseLayer ? all().filter((i) => i.layers.includes(baseLayer)).map((i) => i.id) : []);
  const doomed = sharing();
  if (doomed.length) spawnSync('docker', ['rmi', '-f', ...doomed], { stdio: 'ignore' });
  spawnSync('docker', ['image', 'prune', '-f'], { stdio: 'ignore' });
  push.dockerBaseGone = sharing().length === 0;
  const d = `${REG}/bench/docker-${run}:v1`;
  push.dockerS = timed('docker build (pulls base) + docker push', 'bash', ['-c', `DOCKER_BUILDKIT=0 docker build --no-cache -q -t ${d} . >/dev/null && docker push -q ${d} >/dev/null`], { cwd: app }).s;
  const b = `${REG}/bench/buildah-${run}:v1`;
  const bstore = join(work, `buildah-${run}`);
  push.buildahS = timed('buildah bud + buildah push', 'bash', ['-c', `buildah --root ${bstore}/root --runroot ${bstore}/run --storage-driver vfs bud -q --tls-verify=false -t ${b} . >/dev/null && buildah --root ${bstore}/root --runroot ${bstore}/run --storage-driver vfs push -q --tls-verify=false ${b} >/dev/null`], { cwd: app }).s;
  spawnSync('bash', ['-c', `buildah --root ${bstore}/root --runroot ${bstore}/run --storage-driver vfs rmi -a -f >/dev/null 2>&1; rm -rf ${bstore}`]);
  push.containerifyS = timed('containerify (base from and to the registry)', 'npx', ['-y', 'containerify', '--fromImage', 'base/node:20', '--fromRegistry', `http://${REG}/v2/`, '--toImage', `bench/containerify-${run}:v1`, '--toRegistry', `http://${REG}/v2/`, '--folder', app, '--doCrossMount', '--allowNoPushAuth'], { cwd: work }).s;
  const fastest = Math.min(push.dockerS, push.buildahS, push.containerifyS);
  push.fastestPeerS = fastest;
  push.coldRatioToFastestPeer = +(push.pipelineColdS / fastest).toFixed(3);
}
results.push = push;
for (const n of nonces) rmSync(n, { force: true });
if (peers) sh('bash', [join(root, 'test/services/start')], { stdio: 'inherit' });

mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/latest.json'), JSON.stringify(results, null, 2) + '\n');
const f = (x) => (x === undefined ? '–' : `${x.toFixed(2)} s`);
const md = [
  `Benchmarks of ${results.date.slice(0, 10)} (${results.machine}, Node ${results.node}); fixture: ${fx.files} files / ${results.fixture.mib} MiB of node_modules + src on the ${BASE} base.`,
  '',
  '| build (issue 3) | time |',
  '|---|---|',
  `| tar -cf - app \\| gzip -1 \\| sha256sum (baseline) | ${f(results.build.baselineS)} |`,
  `| pipeline build → OCI layout, cold layer cache (best of 3, as the baseline) | ${f(results.build.coldS)} (${results.build.coldRatio}× baseline) |`,
  `| pipeline build, nothing changed | ${f(results.build.noChangeS)} |`,
  `| pipeline build, one source file changed | ${f(results.build.oneFileChangedS)} |`,
  `| 1 GiB context: peak RSS | ${results.build.bigContext.peakRssMiB} MiB (${results.build.bigContext.seconds} s) |`,
  ...(results.build.baseIndex ? [`| base filesystem index, cold cache (${BASE}: ${results.build.baseIndex.entries} paths) | ${results.build.baseIndex.seconds.toFixed(2)} s, ${(results.build.baseIndex.bytesRead / 1048576).toFixed(1)} MiB read, peak RSS ${results.build.baseIndex.peakRssMiB} MiB |`] : []),
  '',
  '| build + push (issue 4), one run; new content in both layers so no tool can skip or mount a blob an earlier run pushed | time |',
  '|---|---|',
  `| pipeline build --push, cold | ${f(push.pipelineColdS)}${push.coldRatioToFastestPeer ? ` (${push.coldRatioToFastestPeer}× fastest peer)` : ''} |`,
  `| pipeline build --push, one file changed | ${f(push.pipelineOneFileS)} |`,
  `| pipeline build --push, same commit again | ${f(push.pipelineSameS)} |`,
  `| docker build --no-cache (pulls its base${push.dockerBaseGone === false ? ': NOT cold, base layers still local' : ''}) + docker push | ${f(push.dockerS)} |`,
  `| buildah bud + buildah push | ${f(push.buildahS)} |`,
  `| containerify | ${f(push.containerifyS)} |`,
  '',
];
writeFileSync(join(root, 'bench/results/latest.md'), md.join('\n'));
console.log(md.join('\n'));
void copyFileSync;
