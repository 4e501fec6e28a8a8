// Deploys always end (issue 10): a version whose health flaps (200, 500, 200, … per request) never fails
// `retries` times in a row nor holds the stability window; only the batch deadline ends its wait. Then the
// whole fleet rolls back, the deploy fails (exit 1), the lock is released, every replica runs the previous version.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDeployError, type PipelineError } from '@pipeline/core';
import { deploy, healthDeadline, history, lockStatus, openTarget, parseDeployConfig } from '../src/index.js';
import { needs } from '../../../test/lib/services.js';
import { cleanEngine, makeApp } from './helpers/images.js';
import { freeRange } from './helpers/ports.js';

const APP = `itg-deadline-${process.pid}`;
const REPO = `127.0.0.1:5000/deploy-itg/${APP}`;
const HOST = 'unix:///var/run/docker.sock';
const at = () => ({ file: 'pipeline.yml' });
const envWith = async (rollout: Record<string, unknown>) => parseDeployConfig({
  d: {
    app: APP, image: REPO, hosts: [HOST], replicas: 3, network: 'host', hostPorts: await freeRange(12),
    probe: { http: { path: '/cgi-bin/health' }, interval: '300ms', timeout: '1s', retries: 3, stability: '2s' },
    rollout: { batch: 1, drain: '100ms', ...rollout }, prune: { auto: false },
  },
}, at).d;
const running = async (env: Awaited<ReturnType<typeof envWith>>) => (await openTarget(env).list()).filter((i) => i.running);

if (needs(test, 'docker', 'registry')) {
  test.after(() => cleanEngine(APP, REPO));

  for (const [name, rollout] of [['the probe budget', {}], ['an explicit rollout.deadline', { deadline: '4s' }]] as const) {
    test(`a flapping version fails at ${name}: exit 1, lock released, every replica back on the previous version`, async () => {
      const env = await envWith(rollout);
      const [good, flaps] = [await makeApp(REPO, 'v1'), await makeApp(REPO, 'v2', 'flaps')];
      await deploy({ env, image: good.ref, sha: good.sha, actor: 'itg' });
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
      process.on('warning', onWarning);
      const ac = new AbortController(); // as the CLI passes one: the wait loop must not pile listeners on it
      const budget = healthDeadline(env.probe, env.rollout);
      const t0 = Date.now();
      let err: PipelineError | undefined;
      try {
        // The test's own deadline: a deploy that never ends fails here instead of hanging the suite.
        await Promise.race([
          deploy({ env, image: flaps.ref, sha: flaps.sha, actor: 'itg', signal: ac.signal }),
          new Promise((_, rej) => setTimeout(() => rej(new Error('the deploy did not end in 180 s')), 180_000).unref()),
        ]);
      } catch (e) {
        err = e as PipelineError;
      } finally {
        process.off('warning', onWarning);
      }
      console.log(`  ${name}: failed and rolled back in ${((Date.now() - t0) / 1000).toFixed(1)} s (deadline ${budget / 1000} s per batch)`);
      assert.ok(isDeployError(err), String(err));
      assert.is(err!.exitCode, 1);
      assert.match(err!.message, /failed in batch 1\/3/);
      assert.match(err!.message, new RegExp(`no stable health within ${(budget / 1000).toFixed(1)} s \\(\\d+ probe round\\(s\\) passed, \\d+ failed; last failure: HTTP 500 flap`));
      assert.match(err!.message, /rolled back every host to/);
      assert.equal((await running(env)).map((i) => i.digest), [good.digest, good.digest, good.digest]);
      assert.equal(await lockStatus(openTarget(env)), { [HOST]: undefined });
      assert.equal((await history(openTarget(env), 1)).map((e) => [e.result, e.to.digest]), [['rolled-back', flaps.digest]]);
      assert.equal(warnings.filter((w) => /MaxListeners/.test(w)), []);
      await cleanEngine(APP, REPO);
    });
  }
}

test.run();
