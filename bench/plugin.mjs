#!/usr/bin/env node
// The CI plugin image (issue 14): its size, and how long it takes to start, measured on the base the test
// services make from the host (Node + git + CA certificates; the real image bases on node:22-alpine).
// Writes bench/results/plugin.json and plugin.md.   node bench/plugin.mjs   (needs root: services)
//   size:     compressed (what a runner pulls) and unpacked, the base's share and the plugin's own layers
//   start-up: `docker run` to exit for `node -e ''` (the floor), `pipeline --version`, and a plugin step
//             that builds and pushes a two-line Dockerfile (Drone-style env), each 7 times; median and range
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sh = (cmd, args, opts = {}) => (execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...opts }) ?? '').trim();
const RUNS = 7;
const id = `bench-plugin-${Date.now().toString(36)}`;
const IMAGE = `${id}/pipeline-plugin:bench`;
const work = mkdtempSync(join(tmpdir(), 'bench-plugin-'));

sh('bash', [join(root, 'test/services/start')], { stdio: 'inherit' });
sh(process.execPath, [join(root, 'scripts/bundle.mjs')]);
const services = JSON.parse(readFileSync('/var/lib/pipeline-test/services.json', 'utf8'));
const base = services.images.nodeCi ?? services.images.node.replace('/base/node:', '/base/node-ci:');
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const loadBefore = load();

// The image, as the release builds it (pipeline build, no RUN: BASE has git and CA certificates).
const archive = join(work, 'plugin.tar');
const built = JSON.parse(sh(process.execPath, [join(root, 'packages/cli/bin/pipeline.js'), 'build', '.', '-f', 'plugin/Dockerfile', '--build-arg', `BASE=${base}`, '-o', `docker-archive:${archive}:${IMAGE}`, '--cache-dir', join(work, 'cache'), '--json'], { cwd: root }));
sh('docker', ['load', '-q', '-i', archive]);
const baseManifest = JSON.parse(sh('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${base}`]));
const baseBytes = baseManifest.layers.reduce((n, l) => n + l.size, 0);
const ownLayers = built.layers.filter((l) => !baseManifest.layers.some((b) => b.digest === l.digest));
const size = {
  compressed: built.size,
  base: baseBytes,
  plugin: ownLayers.reduce((n, l) => n + l.size, 0),
  unpacked: Number(sh('docker', ['image', 'inspect', IMAGE, '--format', '{{.Size}}'])),
  bundle: statSync(join(root, 'packages/cli/dist/standalone/pipeline.mjs')).size,
  layers: built.layerCount,
};

function time(args) {
  const t0 = performance.now();
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return performance.now() - t0;
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: Math.round(s[s.length >> 1]), min: Math.round(s[0]), max: Math.round(s[s.length - 1]) };
};
const run = ['run', '--rm', '--network', 'host', '--user', '1000'];

// A workspace as a Drone runner leaves it, and a plugin step that builds and pushes it.
const ws = join(work, 'ws');
mkdirSync(ws);
writeFileSync(join(ws, 'Dockerfile'), `FROM ${services.images.busybox}\nCOPY hello.txt /hello.txt\n`);
writeFileSync(join(ws, 'hello.txt'), 'hello\n');
for (const a of [['init', '-q', '-b', 'main'], ['add', '.'], ['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-qm', 'bench']]) sh('git', a, { cwd: ws });
chmodSync(ws, 0o777);
const sha = sh('git', ['rev-parse', 'HEAD'], { cwd: ws });
const repo = `127.0.0.1:5000/${id}/app`;
const step = [...run, '-v', `${ws}:/ws`, '-w', '/ws', '-e', 'CI=true', '-e', 'DRONE=true', '-e', `DRONE_COMMIT_SHA=${sha}`, '-e', 'DRONE_COMMIT_BRANCH=main', '-e', `PLUGIN_REPO=${repo}`, IMAGE];

const samples = { node: [], version: [], step: [] };
time([...run, IMAGE, 'node', '-e', '']); // warm the engine's view of the image
for (let i = 0; i < RUNS; i++) {
  samples.node.push(time([...run, IMAGE, 'node', '-e', '']));
  samples.version.push(time([...run, IMAGE, 'pipeline', '--version']));
  samples.step.push(time(step));
}
// The same on the host, without a container: what the container adds.
const hostVersion = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  sh(process.execPath, [join(root, 'packages/cli/dist/standalone/pipeline.mjs'), '--version']);
  hostVersion.push(performance.now() - t0);
}
const loadAfter = load();

const result = {
  date: new Date().toISOString(),
  machine: { cpus: (await import('node:os')).cpus().length, loadBefore, loadAfter },
  base,
  size,
  startMs: { containerNode: stats(samples.node), containerVersion: stats(samples.version), hostVersion: stats(hostVersion), pluginStep: stats(samples.step) },
};
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
const ms = (s) => `${s.median} ms (${s.min}–${s.max})`;
writeFileSync(join(root, 'bench/results/plugin.json'), JSON.stringify(result, null, 2) + '\n');
writeFileSync(join(root, 'bench/results/plugin.md'), `# The CI plugin image (bench/plugin.mjs, ${result.date.slice(0, 10)})

${result.machine.cpus} CPUs, load average ${loadBefore} before and ${loadAfter} after (1/5/15 min). Base: \`${base}\`
(made from the host by test/services/images: Node ${process.versions.node}, git, CA certificates); the released
image bases on node:22-alpine + git + ca-certificates instead. ${RUNS} runs each; median (min–max).

| | |
|---|---|
| image, compressed (what a runner pulls) | ${mib(size.compressed)} in ${size.layers} layers |
| of which the base | ${mib(size.base)} |
| of which the plugin's own layers (bundle, entrypoint) | ${mib(size.plugin)} |
| unpacked (docker image inspect) | ${mib(size.unpacked)} |
| the standalone bundle (dockerode, ssh2 included) | ${mib(size.bundle)} |
| \`docker run\` → exit, \`node -e ''\` (the floor) | ${ms(result.startMs.containerNode)} |
| \`docker run\` → exit, \`pipeline --version\` | ${ms(result.startMs.containerVersion)} |
| \`pipeline --version\` on the host, no container | ${ms(result.startMs.hostVersion)} |
| a Drone-style plugin step: build + push a two-line Dockerfile, \`docker run\` → exit | ${ms(result.startMs.pluginStep)} |
`);
console.log(readFileSync(join(root, 'bench/results/plugin.md'), 'utf8'));

// Clean up what this run made: the image, the pushed manifest, the work dir.
spawnSync('docker', ['rmi', '-f', IMAGE], { stdio: 'ignore' });
const digest = spawnSync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${repo}:${sha}`], { encoding: 'utf8' }).stdout.trim();
if (digest) spawnSync('skopeo', ['delete', '--tls-verify=false', `docker://${repo}@${digest}`], { stdio: 'ignore' });
rmSync(work, { recursive: true, force: true });
