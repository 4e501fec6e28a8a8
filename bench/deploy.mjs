#!/usr/bin/env node
// Deploy speed, side by side with Docker Swarm on the same engine (issue 6, Speed): the same image
// (busybox httpd serving /health), the same probe (HTTP /health, 1 s interval, 1 s timeout, 3 retries)
// and 3 replicas. Writes bench/results/deploy.json and deploy.md.
//   node bench/deploy.mjs            (needs root: services; the local engine is a Swarm manager)
// Goals: a healthy rollout ≤ 1/3 of Swarm's time; detection of a failing version plus complete
// rollback ≤ probe budget (interval × retries + timeout) + 2 s.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';

const root = fileURLToPath(new URL('..', import.meta.url));
const { deploy, openTarget, parseDeployConfig } = await import(join(root, 'packages/deploy/dist/index.js'));

const run = Date.now().toString(36);
const APP = `bench-deploy-${run}`;
const REPO = `127.0.0.1:5000/bench/${APP}`;
const SERVICE = `bench-swarm-${run}`;
const PROBE = { interval: 1, timeout: 1, retries: 3 }; // seconds
const BUDGET = PROBE.interval * PROBE.retries + PROBE.timeout;
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sh = (cmd, args, opts = {}) => (execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26, ...opts }) ?? '').toString().trim();
const secs = (t0) => +((performance.now() - t0) / 1000).toFixed(2);

sh('bash', [join(root, 'test/services/start')], { stdio: 'inherit' });
const services = JSON.parse(readFileSync('/var/lib/pipeline-test/services.json', 'utf8'));
if (sh('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}']) !== 'active') throw new Error('the local engine is not a Swarm manager (test/services/start initialises it)');

/** The test app of packages/deploy/test/helpers/images.ts: busybox httpd; `broken` has no /health (probe gets 404). */
function makeApp(version, broken = false) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-deploy-'));
  mkdirSync(join(dir, 'www'), { recursive: true });
  writeFileSync(join(dir, 'www/index.html'), `${version}\n`);
  writeFileSync(join(dir, 'www/version'), `${version}\n`);
  if (!broken) writeFileSync(join(dir, 'www/health'), 'ok\n');
  writeFileSync(join(dir, 'httpd.conf'), '\n');
  writeFileSync(join(dir, 'Dockerfile'), [
    `FROM ${services.images.localBusybox}`,
    'COPY www /www',
    'COPY httpd.conf /etc/httpd.conf',
    `LABEL version=${version}`,
    `CMD ["/bin/sh", "-c", "exec httpd -f -p \${PORT:-80} -h /www -c /etc/httpd.conf"]`,
  ].join('\n') + '\n');
  const tag = `${REPO}:${version}`;
  sh('docker', ['build', '-q', '-t', tag, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  sh('docker', ['push', '-q', tag]);
  rmSync(dir, { recursive: true, force: true });
  const digest = JSON.parse(sh('docker', ['image', 'inspect', '--format', '{{json .RepoDigests}}', tag])).find((r) => r.startsWith(`${REPO}@`)).split('@')[1];
  return { version, digest, ref: `${REPO}@${digest}` };
}

const results = {
  date: new Date().toISOString(),
  machine: `${sh('nproc')} cores`,
  node: process.version,
  engine: sh('docker', ['version', '--format', '{{.Server.Version}}']),
  setup: { replicas: 3, probe: `HTTP GET /health, interval ${PROBE.interval}s, timeout ${PROBE.timeout}s, retries ${PROBE.retries}`, probeBudgetS: BUDGET },
};

let v1, v2, v3;
try {
  [v1, v2, v3] = [makeApp('v1'), makeApp('v2'), makeApp('v3', true)];

  // --- pipeline --------------------------------------------------------------------------------
  const env = parseDeployConfig({
    bench: {
      app: APP, image: REPO, hosts: ['unix:///var/run/docker.sock'], replicas: 3, network: 'host', hostPorts: '23500-23519',
      probe: { http: { path: '/health' }, interval: `${PROBE.interval}s`, timeout: `${PROBE.timeout}s`, retries: PROBE.retries },
      rollout: { batch: 1 },
    },
  }, () => ({ file: 'bench' })).bench;
  results.pipeline = { config: 'batch 1, start-first, stability window 0 (default), no proxy, prune after deploy (default)' };
  await deploy({ env, image: v1.ref, sha: 'v1', actor: 'bench' });
  let t0 = performance.now();
  const r2 = await deploy({ env, image: v2.ref, sha: 'v2', actor: 'bench' });
  results.pipeline.healthyS = secs(t0);
  results.pipeline.healthyAllOnV2 = r2.instances.length === 3 && r2.instances.every((i) => i.digest === v2.digest);
  console.log(`pipeline v1 → v2 (3 replicas, batch 1)                ${results.pipeline.healthyS} s`);
  t0 = performance.now();
  const err = await deploy({ env, image: v3.ref, sha: 'v3', actor: 'bench' }).then(() => undefined, (e) => e);
  results.pipeline.failingS = secs(t0);
  const after = (await openTarget(env).list()).filter((i) => i.running);
  results.pipeline.failingOutcome = err ? `${err.name}, exit ${err.exitCode}` : 'no error (!)';
  results.pipeline.failingFirstLine = err?.message.split('\n')[0];
  results.pipeline.failingAllBackOnV2 = after.length === 3 && after.every((i) => i.digest === v2.digest);
  console.log(`pipeline v3 failing: detection + complete rollback    ${results.pipeline.failingS} s (${results.pipeline.failingOutcome}; all on v2: ${results.pipeline.failingAllBackOnV2})`);
  // Not a goal, for comparison: each new container healthy for 3 s before its batch counts (like Swarm's --update-monitor 3s).
  const stable = { ...env, probe: { ...env.probe, stability: 3000 } };
  t0 = performance.now();
  const r1 = await deploy({ env: stable, image: v1.ref, sha: 'v1', actor: 'bench' });
  results.pipeline.healthyStability3sS = secs(t0);
  results.pipeline.healthyStability3sAllOn = r1.instances.length === 3 && r1.instances.every((i) => i.digest === v1.digest);
  console.log(`pipeline v2 → v1 with a 3 s stability window          ${results.pipeline.healthyStability3sS} s`);

  // --- Docker Swarm ----------------------------------------------------------------------------
  const health = ['--health-cmd', 'wget -q -O /dev/null http://127.0.0.1/health || exit 1', '--health-interval', `${PROBE.interval}s`, '--health-timeout', `${PROBE.timeout}s`, '--health-retries', String(PROBE.retries), '--health-start-period', '0s'];
  const update = ['--update-parallelism', '1', '--update-failure-action', 'rollback', '--update-monitor', '3s'];
  results.swarm = { config: `docker service update ${update.join(' ')} (other settings: Swarm defaults: order stop-first, delay 0s, rollback parallelism 1, monitor 5s)` };
  const tasks = async () => (await docker.listTasks({ filters: { service: [SERVICE], 'desired-state': ['running'] } })).filter((t) => t.Status?.State === 'running');
  const onlyOn = async (digest) => {
    const ts = await tasks();
    return ts.length === 3 && ts.every((t) => t.Spec.ContainerSpec.Image.endsWith(`@${digest}`));
  };
  const updateState = async () => (await docker.getService(SERVICE).inspect()).UpdateStatus?.State;
  const until = async (what, f, ms = 300_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await f();
      if (v) return v;
      if (Date.now() > end) throw new Error(`swarm: timed out waiting for ${what}`);
      await sleep(100);
    }
  };
  sh('docker', ['service', 'create', '--detach', '--quiet', '--name', SERVICE, '--replicas', '3', ...health, ...update, v1.ref]);
  await until('3 healthy v1 tasks', () => onlyOn(v1.digest));
  t0 = performance.now();
  sh('docker', ['service', 'update', '--detach', '--quiet', '--image', v2.ref, ...update, SERVICE]);
  await until('the v2 update to complete', async () => (await updateState()) === 'completed' && (await onlyOn(v2.digest)));
  results.swarm.healthyS = secs(t0);
  console.log(`swarm v1 → v2 (service update)                        ${results.swarm.healthyS} s`);
  t0 = performance.now();
  sh('docker', ['service', 'update', '--detach', '--quiet', '--image', v3.ref, ...update, SERVICE]);
  const end = await until('the v3 update to roll back', async () => {
    const s = await updateState();
    return s === 'rollback_completed' || s === 'rollback_paused' ? s : undefined;
  });
  results.swarm.failingS = secs(t0);
  results.swarm.failingOutcome = `UpdateStatus ${end}; \`docker service update --detach\` exit 0`;
  results.swarm.failingEndState = end;
  // rollback_completed can be reported while the last rolled-back task is still starting: give it the same 30 s at most.
  const tb = performance.now();
  let back = await onlyOn(v2.digest);
  while (!back && performance.now() - tb < 30_000) {
    await sleep(200);
    back = await onlyOn(v2.digest);
  }
  results.swarm.failingAllBackOnV2 = back;
  if (back && performance.now() - tb > 150) results.swarm.failingUntilAllOnV2S = secs(t0);
  const ts = await tasks();
  results.swarm.failingTasks = ts.map((t) => t.Spec.ContainerSpec.Image.split('@')[1] === v2.digest ? 'v2' : t.Spec.ContainerSpec.Image.split('@')[1] === v3.digest ? 'v3' : '?');
  console.log(`swarm v3 failing: until ${end}                ${results.swarm.failingS} s (all on v2: ${back})`);

  // --- goals -----------------------------------------------------------------------------------
  const healthyLimit = +(results.swarm.healthyS / 3).toFixed(2);
  const failLimit = BUDGET + 2;
  results.goals = {
    healthy: { limitS: healthyLimit, pipelineS: results.pipeline.healthyS, ratio: +(results.pipeline.healthyS / results.swarm.healthyS).toFixed(3), met: results.pipeline.healthyS <= healthyLimit && results.pipeline.healthyAllOnV2 },
    rollback: { limitS: failLimit, pipelineS: results.pipeline.failingS, met: results.pipeline.failingS <= failLimit && results.pipeline.failingAllBackOnV2 && err?.exitCode === 1 },
  };
} finally {
  spawnSync('docker', ['service', 'rm', SERVICE], { stdio: 'ignore' });
  // Swarm removes its task containers asynchronously; wait for them before removing the images.
  for (let i = 0; i < 100 && sh('docker', ['ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${SERVICE}`]); i++) await sleep(200);
  const ids = sh('docker', ['ps', '-aq', '--filter', `label=dev.pipeline.app=${APP}`]).split('\n').filter(Boolean);
  if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  const imgs = sh('docker', ['images', '-q', REPO]).split('\n').filter(Boolean);
  if (imgs.length) spawnSync('docker', ['rmi', '-f', ...new Set(imgs)], { stdio: 'ignore' });
}

const g = results.goals;
const yes = (b) => (b ? 'met' : '**not met**');
const md = [
  `Deploy benchmark of ${results.date.slice(0, 10)} (${results.machine}, Node ${results.node}, Docker Engine ${results.engine}): one engine, 3 replicas, the same busybox httpd image, probe ${results.setup.probe} (budget ${BUDGET} s).`,
  '',
  '| deploy (issue 6) | pipeline | Docker Swarm | goal | |',
  '|---|---|---|---|---|',
  `| healthy rollout v1 → v2 | ${results.pipeline.healthyS} s | ${results.swarm.healthyS} s | ≤ 1/3 of Swarm (${g.healthy.limitS} s) | ${yes(g.healthy.met)} (${g.healthy.ratio}×) |`,
  `| healthy rollout v2 → v1, 3 s stability window per container (not a goal; cf. \`--update-monitor 3s\`) | ${results.pipeline.healthyStability3sS} s | | | |`,
  `| failing v3: detection + complete rollback to v2 | ${results.pipeline.failingS} s, ${results.pipeline.failingOutcome}, all on v2: ${results.pipeline.failingAllBackOnV2 ? 'yes' : 'no'} | ${results.swarm.failingS} s to \`${results.swarm.failingEndState}\`, exit 0, all on v2: ${results.swarm.failingAllBackOnV2 ? 'yes' : 'no'} | ≤ budget + 2 s (${g.rollback.limitS} s) | ${yes(g.rollback.met)} |`,
  '',
  `pipeline: ${results.pipeline.config}. Swarm: ${results.swarm.config}.`,
  '',
];
writeFileSync(join(root, 'bench/results/deploy.json'), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(root, 'bench/results/deploy.md'), md.join('\n'));
console.log('\n' + md.join('\n'));
