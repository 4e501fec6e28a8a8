#!/usr/bin/env node
// The Swarm target side by side with `docker service update` (issue 15, Measured): the same image, the same
// service (3 replicas, host-mode port on an overlay network), the same update policy (parallelism 1,
// start-first, monitor 3 s, failure action rollback) and the same health check (HTTP /health every 1 s,
// timeout 1 s, 3 retries: pipeline's probe from outside, Docker's HEALTHCHECK inside the task).
// For a healthy update and for a version that loses /health 2 s after start: the time to a verdict, the exit
// code, where each ends, and the failed requests of a bounded load on /health in the 30 s from the start of the
// update (a client that learns the tasks' endpoints from Swarm every 250 ms, as a load balancer in front would):
// the same window for both, so a version left running after the verdict keeps counting.
// Writes bench/results/swarm.json and swarm.md.   node bench/swarm.mjs   (root: services; a Swarm manager)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/cli/bin/pipeline.js');
const run = Date.now().toString(36);
const STACK = `benchsw${run}`;
const REPO = `127.0.0.1:5000/bench/${STACK}`;
const TWIN = `benchswd${run}`;
const NET = `${TWIN}_net`;
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sh = (cmd, args, opts = {}) => (execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26, ...opts }) ?? '').toString().trim();
const secs = (t0) => +((performance.now() - t0) / 1000).toFixed(2);
const WINDOW_MS = 30_000;
/** The load for the whole window from `t0` (the update's start), whenever the command returned. */
const windowEnd = async (t0) => sleep(Math.max(0, WINDOW_MS - (performance.now() - t0)));

sh('bash', [join(root, 'test/services/start')], { stdio: 'inherit' });
const services = JSON.parse(readFileSync('/var/lib/pipeline-test/services.json', 'utf8'));
if (sh('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}']) !== 'active') throw new Error('the local engine is not a Swarm manager (test/services/start initialises it)');

/** busybox httpd serving /health; `sick` removes /health 2 s after it starts (its port stays open). */
function makeApp(version, sick = false) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-swarm-'));
  mkdirSync(join(dir, 'www'), { recursive: true });
  writeFileSync(join(dir, 'www/index.html'), `${version}\n`);
  writeFileSync(join(dir, 'www/health'), 'ok\n');
  writeFileSync(join(dir, 'Dockerfile'), [
    `FROM ${services.images.localBusybox}`, 'COPY www /www', `LABEL version=${version}`,
    `CMD ["/bin/sh", "-c", "${sick ? '(sleep 2; rm /www/health) & ' : ''}exec httpd -f -p 80 -h /www"]`,
  ].join('\n') + '\n');
  const tag = `${REPO}:${version}`;
  sh('docker', ['build', '-q', '-t', tag, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  sh('docker', ['push', '-q', tag]);
  rmSync(dir, { recursive: true, force: true });
  const digest = JSON.parse(sh('docker', ['image', 'inspect', '--format', '{{json .RepoDigests}}', tag])).find((r) => r.startsWith(`${REPO}@`)).split('@')[1];
  return { version, digest, ref: `${REPO}@${digest}` };
}

/** Bounded load on /health of a service's serving tasks: 4 loops, ≤ 1 request per 5 ms each, endpoints refreshed every 250 ms. */
function startLoad(service) {
  const r = { sent: 0, ok: 0, httpErrors: 0, connErrors: 0, byVersion: {} };
  let endpoints = [];
  let stopping = false;
  const refresh = async () => {
    while (!stopping) {
      try {
        const nodes = new Map((await docker.listNodes()).map((n) => [n.ID, n.Status.Addr]));
        const ts = await docker.listTasks({ filters: { service: [service], 'desired-state': ['running'] } });
        endpoints = ts.filter((t) => t.Status.State === 'running').flatMap((t) => (t.Status.PortStatus?.Ports ?? []).slice(0, 1).map((p) => ({ host: nodes.get(t.NodeID) || '127.0.0.1', port: p.PublishedPort, v: t.Spec.ContainerSpec.Image.split('@')[1] })));
      } catch { /* keep the last list */ }
      await sleep(250);
    }
  };
  const agent = new Agent({ keepAlive: false });
  let k = 0;
  const one = () => new Promise((done) => {
    const e = endpoints[k++ % Math.max(1, endpoints.length)];
    if (!e) return setTimeout(done, 20);
    r.sent++;
    const req = request({ host: e.host, port: e.port, path: '/health', agent, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) r.ok++;
        else r.httpErrors++;
        r.byVersion[e.v] = (r.byVersion[e.v] ?? 0) + 1;
        done();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => { r.connErrors++; done(); });
    req.end();
  });
  const loops = [refresh(), ...Array.from({ length: 4 }, async () => { while (!stopping) { await one(); await sleep(5); } })];
  return { async stop() { stopping = true; await Promise.all(loops); return { ...r, failed: r.httpErrors + r.connErrors }; } };
}

/** Runs a command, resolves its exit code and time to exit; optionally under load on a service. */
function timedRun(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stdout.resume();
    p.stderr.on('data', (c) => (err += c));
    p.on('close', (code) => resolve({ code, s: secs(t0), stderr: err }));
  });
}

const servingOn = async (service) => (await docker.listTasks({ filters: { service: [service], 'desired-state': ['running'] } })).filter((t) => t.Status.State === 'running').map((t) => t.Spec.ContainerSpec.Image.split('@')[1]);
const state = async (service) => (await docker.getService(service).inspect()).UpdateStatus?.State ?? 'none';
const label = (d, vs) => vs.find((v) => v.digest === d)?.version ?? d?.slice(7, 19);

const results = {
  date: new Date().toISOString(), machine: `${sh('nproc')} cores`, node: process.version, engine: sh('docker', ['version', '--format', '{{.Server.Version}}']),
  loadBefore: loadavg().map((x) => +x.toFixed(2)),
  setup: { replicas: 3, health: 'HTTP GET /health, interval 1s, timeout 1s, retries 3', update: 'parallelism 1, start-first, monitor 3s, failure action rollback', load: '4 loops on /health of the serving tasks for 30 s from the start of the update, endpoints refreshed from Swarm every 250 ms' },
};

let vs;
const dir = mkdtempSync(join(tmpdir(), 'bench-swarm-cfg-'));
try {
  vs = [makeApp('v1'), makeApp('v2'), makeApp('v3', true)];
  const [v1, v2, v3] = vs;

  // --- pipeline ----------------------------------------------------------------------------------
  writeFileSync(join(dir, 'pipeline.yml'), `version: 1
environments:
  bench:
    target: swarm
    manager: unix:///var/run/docker.sock
    stack: ${STACK}
    image: ${REPO}
    services:
      web: { replicas: 3, ports: [80] }
    probe: { http: { path: /health }, interval: 1s, timeout: 1s, retries: 3, stability: 3s }
    rollout: { batch: 1, order: start-first }
    prune: { auto: false }
`);
  const cli = (image) => timedRun(process.execPath, [bin, 'deploy', 'bench', '--config', join(dir, 'pipeline.yml'), '--image', image], { PIPELINE_ACTOR: 'bench', NO_COLOR: '1' });
  const first = await cli(v1.ref);
  if (first.code !== 0) throw new Error(`pipeline: first deploy failed: ${first.stderr}`);
  const svc = `${STACK}_web`;
  results.pipeline = {};
  for (const [what, v] of [['healthy', v2], ['failing', v3]]) {
    const load = startLoad(svc);
    const t0 = performance.now();
    const r = await cli(v.ref);
    await windowEnd(t0);
    const l = await load.stop();
    const on = await servingOn(svc);
    results.pipeline[what] = { verdictS: r.s, exit: r.code, state: await state(svc), serving: on.map((d) => label(d, vs)), load: l, firstLine: r.stderr.split('\n').find((x) => /failed in|deployed/.test(x)) ?? '' };
    console.log(`pipeline ${what}: ${r.s} s, exit ${r.code}, serving ${results.pipeline[what].serving.join(' ')}, ${l.failed}/${l.sent} failed`);
  }

  // --- docker service update ---------------------------------------------------------------------
  sh('docker', ['network', 'create', '-d', 'overlay', '--attachable', NET]);
  const health = ['--health-cmd', 'wget -q -O /dev/null http://127.0.0.1/health || exit 1', '--health-interval', '1s', '--health-timeout', '1s', '--health-retries', '3', '--health-start-period', '0s'];
  const policy = (monitor) => ['--update-parallelism', '1', '--update-order', 'start-first', '--update-monitor', monitor, '--update-failure-action', 'rollback', '--rollback-parallelism', '1', '--rollback-order', 'start-first', '--rollback-monitor', monitor];
  sh('docker', ['service', 'create', '--quiet', '--name', TWIN, '--replicas', '3', '--network', NET, '--publish', 'mode=host,target=80', ...health, ...policy('3s'), v1.ref]);
  results.docker = {};
  const dockerRuns = [['healthy', v2, '3s'], ['failing', v3, '3s'], ['failing, monitor 10s', v3, '10s']];
  for (const [what, v, monitor] of dockerRuns) {
    if (what === 'failing, monitor 10s') {
      // Back to v2 first (the previous run may have left v3 running), then the same failing update with a monitor long enough for the HEALTHCHECK to fail inside it.
      await timedRun('docker', ['service', 'update', '--quiet', '--image', v2.ref, ...policy(monitor), TWIN]);
    }
    const load = startLoad(TWIN);
    const t0 = performance.now();
    const r = await timedRun('docker', ['service', 'update', '--quiet', '--image', v.ref, ...policy(monitor), TWIN]);
    await windowEnd(t0);
    const l = await load.stop();
    const on = await servingOn(TWIN);
    results.docker[what] = { verdictS: r.s, exit: r.code, state: await state(TWIN), serving: on.map((d) => label(d, vs)), load: l };
    console.log(`docker service update ${what}: ${r.s} s, exit ${r.code}, ${results.docker[what].state}, serving ${results.docker[what].serving.join(' ')}, ${l.failed}/${l.sent} failed`);
  }
} finally {
  results.loadAfter = loadavg().map((x) => +x.toFixed(2));
  for (const s of [`${STACK}_web`, TWIN]) spawnSync('docker', ['service', 'rm', s], { stdio: 'ignore' });
  for (let i = 0; i < 100 && sh('docker', ['ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${TWIN}`]) + sh('docker', ['ps', '-aq', '--filter', `label=com.docker.stack.namespace=${STACK}`]); i++) await sleep(300);
  for (const kind of ['config', 'secret']) {
    const ids = sh('docker', [kind, 'ls', '-q', '--filter', `label=dev.pipeline.app=${STACK}`]).split('\n').filter(Boolean);
    if (ids.length) sh('docker', [kind, 'rm', ...ids]);
  }
  for (const n of [NET, `${STACK}_default`]) { try { sh('docker', ['network', 'rm', n]); } catch { /* gone */ } }
  const imgs = sh('docker', ['images', '-q', REPO]).split('\n').filter(Boolean);
  if (imgs.length) { try { sh('docker', ['rmi', '-f', ...new Set(imgs)]); } catch { /* in use */ } }
  rmSync(dir, { recursive: true, force: true });
}

const p = results.pipeline;
const d = results.docker;
const row = (name, x) => `| ${name} | ${x.verdictS} s | ${x.exit} | ${x.state}, serving ${x.serving.join(' ') || 'nothing'} | ${x.load.failed} of ${x.load.sent} (${x.load.connErrors} refused/reset, ${x.load.httpErrors} non-200) |`;
const md = [
  `Swarm benchmark of ${results.date.slice(0, 10)} (${results.machine}, Node ${results.node}, Docker Engine ${results.engine}; load average ${results.loadBefore.join(' / ')} before, ${results.loadAfter.join(' / ')} after): one service, ${results.setup.replicas} replicas, ${results.setup.update}; health ${results.setup.health}; load: ${results.setup.load}.`,
  '',
  '| update | time to verdict | exit | ends | failed requests in the 30 s from the update\'s start |',
  '|---|---|---|---|---|',
  row('pipeline deploy, healthy v1 → v2', p.healthy),
  row('`docker service update`, healthy v1 → v2', d.healthy),
  row('pipeline deploy, v3 loses /health 2 s after start', p.failing),
  row('`docker service update`, the same v3', d.failing),
  row('`docker service update`, the same v3, monitor 10 s', d['failing, monitor 10s']),
  '',
];
writeFileSync(join(root, 'bench/results/swarm.json'), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(root, 'bench/results/swarm.md'), md.join('\n'));
console.log('\n' + md.join('\n'));
