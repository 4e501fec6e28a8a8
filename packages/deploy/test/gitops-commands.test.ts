// diff, status, history and rollback of a gitops environment through the deploy core, against a bare
// repository with a real deploy history (including a deploy that failed verification and was reverted).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isPipelineError } from '@pipeline/core';
import { deploy, diff, history, openTarget, rollback, status, type GitopsEnvironment } from '../src/index.js';
import { git, manifestsRemote } from './helpers/gitops-repo.js';
import { digestOf, environment, imageRef, layout, REPO, shaOf } from './helpers/gitops-fixture.js';

const FILE = 'overlays/production/kustomization.yaml';
const r = manifestsRemote(layout(['production', 'staging']));
const env = environment('production', r.bare);
const failing = environment('production', r.bare, { verify: { command: ['false'], timeout: '2s', interval: '100ms' } });
const ship = (e: GitopsEnvironment, n: number, actor: string) => deploy({ env: e, image: imageRef(n), sha: shaOf(n), actor });

async function withTarget<T>(fn: (t: ReturnType<typeof openTarget>) => Promise<T>): Promise<T> {
  const t = openTarget(env, REPO);
  try {
    return await fn(t);
  } finally {
    await t.close();
  }
}

test('setup: deploys 1 and 2, staging 5, a failed and reverted 3', async () => {
  await ship(env, 1, 'a');
  await ship(env, 2, 'b');
  await ship(environment('staging', r.bare), 5, 'c');
  await ship(failing, 3, 'd').then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /rolled back the manifests \(revert/));
});

test('history: the environment\'s deploy commits newest first from their trailers; the reverted one is rolled-back', async () => {
  const h = await withTarget((t) => history(t, 10));
  assert.equal(h.map((e) => [e.kind, e.result, e.to.digest, e.actor]), [['deploy', 'rolled-back', digestOf(3), 'd'], ['deploy', 'ok', digestOf(2), 'b'], ['deploy', 'ok', digestOf(1), 'a']]);
  assert.equal(h[1].from, { digest: digestOf(1), sha: shaOf(1) });
  assert.equal(h[1].to, { digest: digestOf(2), sha: shaOf(2) });
  assert.match(h[0].message!, /^reverted by [0-9a-f]{12}$/);
  assert.match(h[0].startedAt, /^\d{4}-\d\d-\d\dT/);
});

test('status: the digest each place in the manifests points at; nothing served without verify.http', async () => {
  const s = await withTarget((t) => status(t));
  assert.equal(s.versions, [{ digest: digestOf(2), sha: shaOf(2), running: 1 }]);
  assert.equal(Object.keys(s.hosts), [FILE]);
  assert.equal(s.hosts[FILE].map((i) => [i.name, i.digest, i.sha, i.health]), [[`${FILE}:8:5`, digestOf(2), shaOf(2), 'none']]);
  assert.is(s.mixed, false);
  assert.match(s.notes![0], new RegExp(`^branch main of .*manifests.git at ${r.tip().slice(0, 12)}$`));
});

test('diff: the exact file diff a deploy would commit; none for the current image', async () => {
  const d = await withTarget((t) => diff(t, env, digestOf(4), shaOf(4)));
  assert.is(d.changed, true);
  assert.equal(d.image, [{ host: FILE, from: [digestOf(2)], to: digestOf(4) }]);
  assert.equal(d.patches!.map((p) => p.file), [FILE]);
  assert.match(d.patches![0].diff, new RegExp(`^diff --git a/${FILE} b/${FILE}\n`));
  assert.match(d.patches![0].diff, new RegExp(`\n-    newTag: ${shaOf(2)}   # set by pipeline\n-    digest: ${digestOf(2)}\n\\+    newTag: ${shaOf(4)}   # set by pipeline\n\\+    digest: ${digestOf(4)}\n`));
  const same = await withTarget((t) => diff(t, env, digestOf(2), shaOf(2)));
  assert.is(same.changed, false);
  assert.equal(same.patches, []);
});

test('rollback: back to the version before the current one (the reverted 3 is skipped), then --to a SHA', async () => {
  const tip = r.tip();
  const back = await rollback({ env, actor: 'e' });
  assert.is(back.digest, digestOf(1));
  assert.is(git(r.bare, 'rev-parse', 'main^').trim(), tip);
  assert.match(r.show(FILE), new RegExp(`newTag: ${shaOf(1)}   # set by pipeline\n    digest: ${digestOf(1)}\n`));
  assert.match(git(r.bare, 'log', '-1', '--format=%s%n%(trailers:key=Pipeline-Kind,valueonly)'), /^rollback production: 000200020002 \(a0000002a000\) → 000100010001 \(a0000001a000\)\nrollback/);
  const again = await rollback({ env, actor: 'e', to: shaOf(2).slice(0, 9) });
  assert.is(again.digest, digestOf(2));
  assert.equal((await withTarget((t) => status(t))).versions.map((v) => v.digest), [digestOf(2)]);
});

test('rollback --to a version never deployed: exit 2, nothing committed', async () => {
  const tip = r.tip();
  const err = await rollback({ env, actor: 'e', to: 'deadbeef' }).catch((e: unknown) => e);
  assert.ok(isPipelineError(err));
  assert.is(err.exitCode, 2);
  assert.match(err.message, /Expected a version to roll back to matching deadbeef/);
  assert.is(r.tip(), tip);
});

test.run();
