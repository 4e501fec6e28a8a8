// Three real hosts (dockerd in network namespaces; one reached over ssh://, two over tcp://) behind a real
// HAProxy, under constant load: healthy v1 → v2, a v3 failing its probe, a v4 answering 5xx caught by the watch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { isDeployError, type PipelineError } from '@pipeline/core';
import { deploy, history, openTarget, parseDeployConfig, status, type DockerEnvironment, type DockerTarget } from '../src/index.js';
import { needs } from '../../../test/lib/services.js';
import { startLab, type NetnsLab } from '../../../test/lib/netns.js';
import { startLoad } from '../../../test/lib/http-load.js';
import { makeApp, cleanEngine, type AppImage } from './helpers/images.js';
import { testLogger } from './helpers/log.js';
import { startHaproxy, type TestProxy } from './helpers/haproxy.js';

const APP = `itg-fleet-${process.pid}`;
const REPO = `127.0.0.1:5000/deploy-itg/${APP}`;
const PROXY_PORT = 23280;
let lab: NetnsLab, proxy: TestProxy, env: DockerEnvironment;
let v1: AppImage, v2: AppImage, v3: AppImage, v4: AppImage;

const digests = async () => (await openTarget(env).list()).filter((i) => i.running).map((i) => `${i.host} ${i.digest}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (needs(test, 'docker', 'registry')) {
  test.before(async () => {
    [v1, v2, v3, v4] = [await makeApp(REPO, 'v1'), await makeApp(REPO, 'v2'), await makeApp(REPO, 'v3', 'no-health'), await makeApp(REPO, 'v4', 'errors')];
    lab = await startLab('pldf', 3, { ssh: 1 });
    proxy = await startHaproxy(PROXY_PORT);
    env = parseDeployConfig({
      fleet: {
        app: APP, image: REPO, replicas: 1, network: 'host', hostPorts: '23300-23319',
        hosts: [{ url: lab.hosts[0].ssh, identity: lab.identity }, lab.hosts[1].tcp, lab.hosts[2].tcp],
        probe: { http: { path: '/health' }, interval: '1s', timeout: '1s', retries: 2, stability: '1s' },
        rollout: { batch: 1, drain: '1s', watch: '4s', maxErrorRate: 0.01 },
        proxy: { haproxy: { socket: proxy.socket, backend: proxy.backend } },
        prune: { keep: 3 },
      },
    }, () => ({ file: 'pipeline.yml' })).fleet as DockerEnvironment;
  });
  test.after(async () => {
    await proxy?.stop();
    await lab?.stop();
    await cleanEngine(APP, REPO);
  });

  test('v1 is pulled by digest on every host (ssh and tcp) and put behind the proxy', async () => {
    await deploy({ env, image: v1.ref, sha: v1.sha, actor: 'itg', logger: testLogger() });
    for (const h of lab.hosts) {
      const { stdout } = await execa('docker', ['-H', h.tcp, 'images', '--digests', '--format', '{{.Repository}}@{{.Digest}}']);
      assert.ok(stdout.split('\n').includes(v1.ref), `${h.ns}: ${stdout}`);
    }
    assert.is(await (await fetch(`http://127.0.0.1:${PROXY_PORT}/version`)).text(), 'v1\n');
  });

  test('v1 → v2 under constant load: zero failed requests, every host on v2', async () => {
    const load = startLoad(`http://127.0.0.1:${PROXY_PORT}/version`, { concurrency: 4, maxMs: 120_000 });
    await sleep(500);
    const t0 = Date.now();
    await deploy({ env, image: v2.ref, sha: v2.sha, actor: 'itg', logger: testLogger() });
    const ms = Date.now() - t0;
    await sleep(500);
    const r = await load.stop();
    console.log(`  3 hosts × 1 replica v1 → v2 (1 s probes, 1 s stability, 4 s watch): ${(ms / 1000).toFixed(1)} s; ${r.sent} requests, ${r.failed} failed, ${JSON.stringify(r.bodies)}`);
    assert.is(r.failed, 0, r.errors.join('; '));
    assert.ok(r.bodies.v1 > 0 && r.bodies.v2 > 0);
    assert.equal(await digests(), env.hosts.map((h) => `${h.url} ${v2.digest}`));
  });

  test('v3 fails its probe: rolled back, exit 1, zero failed requests, the account names host and probe', async () => {
    const load = startLoad(`http://127.0.0.1:${PROXY_PORT}/version`, { concurrency: 4, maxMs: 120_000 });
    const t0 = Date.now();
    const err = (await deploy({ env, image: v3.ref, sha: v3.sha, actor: 'itg', logger: testLogger() }).catch((e: unknown) => e)) as PipelineError;
    const ms = Date.now() - t0;
    const r = await load.stop();
    console.log(`  v3 detection + rollback: ${(ms / 1000).toFixed(1)} s; ${r.sent} requests, ${r.failed} failed`);
    assert.ok(isDeployError(err), String(err));
    assert.is(err.exitCode, 1);
    assert.match(err.message, new RegExp(`host: ${lab.hosts[0].ssh!.replace(/\./g, '\\.')}`));
    assert.match(err.message, /probe: http GET \/health → 200/);
    assert.is(r.failed, 0, r.errors.join('; '));
    assert.equal(r.bodies.v3, undefined);
    assert.equal(await digests(), env.hosts.map((h) => `${h.url} ${v2.digest}`));
  });

  test('v4 answers 5xx after every host switched: the watch rolls the whole fleet back to v2', async () => {
    const load = startLoad(`http://127.0.0.1:${PROXY_PORT}/`, { concurrency: 4, maxMs: 120_000 });
    const t0 = Date.now();
    const err = (await deploy({ env, image: v4.ref, sha: v4.sha, actor: 'itg', logger: testLogger() }).catch((e: unknown) => e)) as PipelineError;
    const ms = Date.now() - t0;
    const r = await load.stop();
    console.log(`  v4 (5xx) caught by the watch + fleet rollback: ${(ms / 1000).toFixed(1)} s; ${r.statuses[500] ?? 0} × 500 while v4 served`);
    assert.ok(isDeployError(err), String(err));
    assert.match(err.message, /probe: proxy 5xx rate \(watch\)/);
    assert.match(err.message, /rolled back every host to/);
    assert.equal(await digests(), env.hosts.map((h) => `${h.url} ${v2.digest}`));
    const s = await status(openTarget(env));
    assert.is(s.mixed, false);
    // The audit trail is on every host, the ssh one included.
    const t = openTarget(env) as DockerTarget;
    for (const h of t.hosts) {
      const hs = await t.readHistory(h);
      assert.equal(hs.map((e) => [e.to.sha, e.result]), [[v1.sha, 'ok'], [v2.sha, 'ok'], [v3.sha, 'rolled-back'], [v4.sha, 'rolled-back']]);
    }
    assert.is((await history(t)).length, 4);
  });
}

test.run();
