// Kill -9 the deploy process at each step in turn: replicas never drop to zero and a rerun converges to one version.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { deploy, openTarget, parseDeployConfig, status } from '../src/index.js';
import { needs } from '../../../test/lib/services.js';
import { cleanEngine, makeApp, type AppImage } from './helpers/images.js';
import { freeRange } from './helpers/ports.js';

const APP = `itg-kill-${process.pid}`;
const REPO = `127.0.0.1:5000/deploy-itg/${APP}`;
const env = parseDeployConfig({
  k: {
    app: APP, image: REPO, hosts: ['unix:///var/run/docker.sock'], replicas: 3, network: 'host', hostPorts: await freeRange(20),
    probe: { http: { path: '/health' }, interval: '300ms', timeout: '1s', retries: 3 }, rollout: { batch: 1, drain: '100ms' }, prune: { auto: false },
  },
}, () => ({ file: 'pipeline.yml' })).k;
const STEPS = ['locked', 'pulled', 'started', 'switched', 'drained', 'stopped', 'batch-1', 'rolled-out'];
const running = async () => (await openTarget(env).list()).filter((i) => i.running);

if (needs(test, 'docker', 'registry')) {
  let v: AppImage[];
  test.before(async () => {
    v = [await makeApp(REPO, 'v1'), await makeApp(REPO, 'v2')];
    await deploy({ env, image: v[0].ref });
  });
  test.after(() => cleanEngine(APP, REPO));

  for (const [k, step] of STEPS.entries()) {
    test(`killed at "${step}": never zero replicas, the rerun converges`, async () => {
      const want = v[(k + 1) % 2];
      const child = await execa(process.execPath, ['--import', 'tsx', new URL('./helpers/deploy-child.ts', import.meta.url).pathname], {
        env: { DEPLOY_ENV: JSON.stringify(env), DEPLOY_IMAGE: want.ref, KILL_AT: step }, reject: false,
      });
      assert.is(child.signal, 'SIGKILL', `child did not reach ${step}: ${child.stderr}`);
      const after = await running();
      assert.ok(after.length >= 3, `only ${after.length} running after a kill at ${step}`);
      const s0 = await status(openTarget(env));
      assert.ok(Object.values(s0.lock).some(Boolean), 'the dead deploy still holds the lock');
      await deploy({ env, image: want.ref, lockWait: 0 }); // its lock is stale at once: the holder's pid is dead
      const now = await running();
      assert.equal(now.map((i) => i.digest), [want.digest, want.digest, want.digest]);
      const s = await status(openTarget(env));
      assert.is(s.mixed, false);
      assert.equal(Object.values(s.lock).filter(Boolean), []);
    });
  }
}

test.run();
