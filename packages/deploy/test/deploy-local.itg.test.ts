// Rolling deploys against the real local engine: v1 → v2, a failing v3 rolled back, manual rollback, diff, status, history, prune, lock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDeployError, type PipelineError } from '@pipeline/core';
import Docker from 'dockerode';
import { execa } from 'execa';
import { containerSpec, deploy, diff, history, lockStatus, openTarget, parseDeployConfig, prune, rollback, status, type DockerEnvironment, type DockerTarget } from '../src/index.js';
import { needs } from '../../../test/lib/services.js';
import { cleanEngine, makeApp, type AppImage } from './helpers/images.js';
import { freeRange } from './helpers/ports.js';

const APP = `itg-local-${process.pid}`;
const HOST = 'unix:///var/run/docker.sock';
const REPO = `127.0.0.1:5000/deploy-itg/${APP}`;
const at = () => ({ file: 'pipeline.yml' });
const env = parseDeployConfig({
  local: {
    app: APP, image: REPO, hosts: ['unix:///var/run/docker.sock'], replicas: 3, network: 'host', hostPorts: await freeRange(20),
    probe: { http: { path: '/health' }, interval: '1s', timeout: '1s', retries: 2, stability: '1s' },
    rollout: { batch: 1, drain: '200ms' }, prune: { auto: false },
  },
}, at).local as DockerEnvironment;

const running = async () => (await openTarget(env).list()).filter((i) => i.running);
let v1: AppImage, v2: AppImage, v3: AppImage;

if (needs(test, 'docker', 'registry')) {
  test.before(async () => {
    [v1, v2, v3] = [await makeApp(REPO, 'v1'), await makeApp(REPO, 'v2'), await makeApp(REPO, 'v3', 'no-health')];
  });
  test.after(() => cleanEngine(APP, REPO));

  test('first deploy starts 3 replicas of v1 (pulled by digest); then v1 → v2 replaces all three', async () => {
    const r1 = await deploy({ env, image: v1.ref, sha: v1.sha, actor: 'itg' });
    assert.is(r1.instances.length, 3);
    const t0 = Date.now();
    const r2 = await deploy({ env, image: v2.ref, sha: v2.sha, actor: 'itg' });
    console.log(`  rollout of 3 replicas (1 s probe interval, 1 s stability, batch 1): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.is(r2.previous, v1.digest);
    assert.equal(r2.plan.batches.length, 3);
    const now = await running();
    assert.equal(now.map((i) => i.digest), [v2.digest, v2.digest, v2.digest]);
    for (const i of now) assert.is(await (await fetch(`http://127.0.0.1:${i.port}/version`)).text(), 'v2\n');
  });

  test('v3 fails its probe: the fleet rolls back to v2, DeployError exit 1 names the probe and shows logs', async () => {
    const t0 = Date.now();
    let err: PipelineError | undefined;
    try {
      await deploy({ env, image: v3.ref, sha: v3.sha, actor: 'itg' });
    } catch (e) {
      err = e as PipelineError;
    }
    console.log(`  detection + rollback: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.ok(isDeployError(err), String(err));
    assert.is(err!.exitCode, 1);
    assert.match(err!.message, /failed in batch 1\/3/);
    assert.match(err!.message, /probe: http GET \/health → 200/);
    assert.match(err!.message, /last output: HTTP 404/);
    assert.match(err!.message, /starting v3 on/);
    assert.match(err!.message, /rolled back every host to/);
    const now = await running();
    assert.equal(now.map((i) => i.digest), [v2.digest, v2.digest, v2.digest]);
    const h = await history(openTarget(env));
    assert.equal(h.map((e) => [e.result, e.to.sha]), [['rolled-back', v3.sha], ['ok', v2.sha], ['ok', v1.sha]]);
    assert.is(h[1].actor, 'itg');
    assert.ok(h[1].durationMs > 0);
    assert.equal(await lockStatus(openTarget(env)), { 'unix:///var/run/docker.sock': undefined });
  });

  test('diff and status describe the fleet without values', async () => {
    const d = await diff(openTarget(env), { ...env, env: { NEW_KEY: 'x' }, replicas: 2 }, v1.digest);
    assert.equal(d.image, [{ host: 'unix:///var/run/docker.sock', from: [v2.digest], to: v1.digest }]);
    assert.equal(d.env, { added: ['NEW_KEY'], removed: [], changed: [] });
    assert.equal(d.replicas, [{ host: 'unix:///var/run/docker.sock', from: 3, to: 2 }]);
    assert.ok(d.changed);
    const s = await status(openTarget(env));
    const xs = s.hosts['unix:///var/run/docker.sock'];
    assert.equal(xs.map((x) => [x.digest, x.sha, x.running]), [[v2.digest, v2.sha, true], [v2.digest, v2.sha, true], [v2.digest, v2.sha, true]]);
    assert.ok(xs.every((x) => (x.uptimeMs ?? -1) >= 0));
    assert.is(s.mixed, false);
  });

  test('manual rollback (default: the last good version, not the v3 that just failed), then a second deploy while locked fails clearly', async () => {
    const r = await rollback({ env, actor: 'itg' });
    assert.is(r.digest, v1.digest, 'v3 failed, v2 runs: the version before is v1');
    assert.equal((await running()).map((i) => i.digest), [v1.digest, v1.digest, v1.digest]);
    let release!: () => void;
    const held = new Promise<void>((res) => (release = res));
    const first = deploy({ env, image: v2.ref, sha: v2.sha, actor: 'first', hooks: { before: () => held } });
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    const second = await deploy({ env, image: v2.ref, actor: 'second', lockWait: 500 }).catch((e: Error) => e);
    assert.ok(isDeployError(second), String(second));
    assert.match((second as Error).message, /environment is locked by first since .*: deploy/);
    assert.ok(Date.now() - t0 >= 500);
    const waiter = deploy({ env, image: v2.ref, sha: v2.sha, actor: 'third', lockWait: 60_000 });
    release();
    await first;
    const third = await waiter;
    assert.equal(third.plan.batches, []);
    const h = await history(openTarget(env));
    assert.equal(h.slice(0, 3).map((e) => [e.kind, e.actor, e.result]), [['deploy', 'third', 'ok'], ['deploy', 'first', 'ok'], ['rollback', 'itg', 'ok']]);
  });

  test('prune keeps the last N versions and the rollback target', async () => {
    const t = openTarget(env) as DockerTarget;
    const r = await prune(t, { keep: 1 });
    assert.ok(r.kept.includes(v2.digest) && r.kept.includes(v1.digest), `kept ${r.kept}`);
    assert.not.ok(r.kept.includes(v3.digest));
    const left = await t.list();
    assert.ok(left.every((i) => i.digest !== v3.digest));
    assert.ok((await t.images('unix:///var/run/docker.sock')).every((i) => !i.digests.includes(v3.digest)));
  });

  test('prune removes the stopped containers killed deploys pile up (exited and never started, of kept versions too); only the rollback target\'s newest stay', async () => {
    const t = openTarget(env) as DockerTarget;
    const docker = new Docker({ socketPath: '/var/run/docker.sock' });
    const runningNow = await running();
    const target = runningNow[0].previous!;
    assert.is(target, v1.digest);
    // What killed deploys leave: containers created and never started, and started ones that exited.
    const made: string[] = [];
    for (const v of [v1, v2, v1, v2]) {
      const body = containerSpec({ app: APP, env, image: REPO, digest: v.digest, sha: v.sha, deployId: 'killed', port: 1, secrets: {}, suffix: `k${made.length}` });
      await docker.createContainer(body);
      made.push(body.name);
    }
    let newestOfTarget = '';
    for (const v of [v2, v1]) {
      const i = await t.engines.start({ host: HOST, image: REPO, digest: v.digest, deployId: 'killed' });
      await t.engines.stop(i);
      if (v === v1) newestOfTarget = i.name; // exited, of the rollback target, the newest: kept
      else made.push(i.name);
    }
    const r = await prune(t, { keep: 3 });
    assert.ok(r.kept.includes(v1.digest) && r.kept.includes(v2.digest), `kept ${r.kept}`);
    for (const name of made) assert.ok(r.containers.includes(`${HOST} ${name}`), `${name} left: ${r.containers.join(', ')}`);
    const left = await t.list();
    assert.equal(left.filter((i) => i.running).map((i) => i.name).sort(), runningNow.map((i) => i.name).sort());
    const stopped = left.filter((i) => !i.running);
    assert.ok(stopped.length <= 3 && stopped.every((i) => i.digest === v1.digest && i.state === 'exited'), stopped.map((i) => `${i.name} ${i.state}`).join(', '));
    assert.ok(stopped.some((i) => i.name === newestOfTarget));
    const again = await prune(t, { keep: 3 });
    assert.equal(again.containers, []);
  });

  test('prune of an environment without image: removes only what its containers came from; another repository\'s reference to the same image stays', async () => {
    const app = `${APP}-noimage`;
    const bare = parseDeployConfig({ b: { app, hosts: [HOST], replicas: 1, network: 'host', hostPorts: await freeRange(6), probe: { http: { path: '/health' }, interval: '500ms', retries: 2 }, prune: { auto: false } } }, at).b as DockerEnvironment;
    const other = `${REPO}-other`;
    try {
      for (const v of [v1, v2]) await deploy({ env: bare, image: v.ref, sha: v.sha, actor: 'itg' });
      const w = await makeApp(REPO, 'v6');
      await deploy({ env: bare, image: w.ref, sha: w.sha, actor: 'itg' });
      // The same image as v1, also named by another repository (another team's tag of it).
      await execa('docker', ['tag', `${REPO}:v1`, `${other}:kept-by-someone`]);
      const t = openTarget(bare) as DockerTarget;
      const r = await prune(t, { keep: 1 });
      assert.ok(r.images.some((i) => i.includes(v1.digest)), `v1 pruned: ${r.images}`);
      assert.not.ok((await t.images(HOST)).some((i) => i.digests.includes(v1.digest)));
      assert.is((await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', `${other}:kept-by-someone`], { reject: false })).exitCode, 0, 'another repository\'s reference stays');
    } finally {
      await execa('docker', ['rmi', `${other}:kept-by-someone`], { reject: false });
      await cleanEngine(app, `${REPO}-none`);
    }
  });

  test('the watch after the last batch counts failures per container, not per probe: a passing tcp probe does not hide a failing http one', async () => {
    const app = `${APP}-watch`;
    const watchEnv = parseDeployConfig({
      w: {
        app, image: REPO, hosts: ['unix:///var/run/docker.sock'], replicas: 1, network: 'host', hostPorts: await freeRange(10),
        probe: { tcp: true, http: { path: '/health' }, interval: '1s', timeout: '1s', retries: 2 },
        rollout: { batch: 1, drain: '200ms', watch: '10s' }, prune: { auto: false },
      },
    }, at).w;
    try {
      await deploy({ env: watchEnv, image: v1.ref, sha: v1.sha, actor: 'itg' });
      const sick = await makeApp(REPO, 'v5', 'sickens');
      const err = await deploy({ env: watchEnv, image: sick.ref, sha: sick.sha, actor: 'itg' }).catch((e: Error) => e);
      assert.ok(isDeployError(err), String(err));
      assert.match((err as Error).message, /http GET \/health → 200 \(watch\)/);
      assert.equal((await openTarget(watchEnv).list()).filter((i) => i.running).map((i) => i.digest), [v1.digest]);
    } finally {
      await cleanEngine(app, `${REPO}-none`);
    }
  });
}

test.run();
