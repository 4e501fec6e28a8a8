// diff, status, history and rollback of a gitops environment, against a bare repository with a
// real deploy history (including a deploy that failed verification and was reverted).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isPipelineError } from '@pipeline/core';
import { gitopsDeploy, gitopsDiff, gitopsHistory, gitopsRollback, gitopsStatus } from '../src/index.js';
import { git, manifestsRemote } from './helpers/gitops-repo.js';
import { desired, digestOf, environment, layout, REPO, shaOf } from './helpers/gitops-fixture.js';

const FILE = 'overlays/production/kustomization.yaml';
const r = manifestsRemote(layout(['production', 'staging']));
const env = environment('production', r.bare);
const failing = { ...env, verify: { command: ['false'], timeout: 300, interval: 100 } };

test('setup: deploys 1 and 2, staging 5, a failed and reverted 3', async () => {
  await gitopsDeploy({ env, desired: desired(1), actor: 'a' });
  await gitopsDeploy({ env, desired: desired(2), actor: 'b' });
  await gitopsDeploy({ env: environment('staging', r.bare), desired: desired(5), actor: 'c' });
  await gitopsDeploy({ env: failing, desired: desired(3), actor: 'd' }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /reverted in/));
});

test('history: the environment\'s commits newest first from their trailers; the reverted deploy is marked', async () => {
  const h = await gitopsHistory(env);
  assert.equal(h.map((e) => [e.kind, e.to.digest, e.actor]), [['revert', digestOf(2), 'd'], ['deploy', digestOf(3), 'd'], ['deploy', digestOf(2), 'b'], ['deploy', digestOf(1), 'a']]);
  assert.is(h[1].revertedBy, h[0].commit);
  assert.is(h[0].reverts, h[1].commit);
  assert.is(h[2].revertedBy, undefined);
  assert.is(h[2].commit, git(r.bare, 'rev-parse', 'main~3').trim(), 'main~2 is the staging deploy, left out');
  assert.match(h[0].date, /^\d{4}-\d\d-\d\dT/);
});

test('status: the digest each edit points at, where; nothing served without verify.http', async () => {
  const s = await gitopsStatus(env);
  assert.is(s.digest, digestOf(2));
  assert.is(s.tip, r.tip());
  assert.equal(s.edits.map((e) => [e.edit, e.versions.map((v) => [v.version.name, v.version.tag, v.version.digest, v.where])]), [[`kustomize ${FILE}`, [[REPO, shaOf(2), digestOf(2), `${FILE}:8:5`]]]]);
  assert.is(s.served, undefined);
});

test('diff: the exact file diff a deploy would commit; none for the current image', async () => {
  const d = await gitopsDiff(env, desired(4));
  assert.equal(d.files, [FILE]);
  assert.match(d.diff, new RegExp(`^diff --git a/${FILE} b/${FILE}\n`));
  assert.match(d.diff, new RegExp(`\n-    newTag: ${shaOf(2)}   # set by pipeline\n-    digest: ${digestOf(2)}\n\\+    newTag: ${shaOf(4)}   # set by pipeline\n\\+    digest: ${digestOf(4)}\n`));
  assert.is(d.from?.digest, digestOf(2));
  assert.is((await gitopsDiff(env, desired(2))).diff, '');
  assert.is(r.tip(), d.tip, 'diff commits nothing');
});

test('rollback: back to the version before the current one (the reverted 3 is skipped), then --to a SHA', async () => {
  const back = await gitopsRollback({ env, actor: 'e' });
  assert.is(back.target.to.digest, digestOf(1));
  assert.match(r.show(FILE), new RegExp(`newTag: ${shaOf(1)}   # set by pipeline\n    digest: ${digestOf(1)}\n`));
  assert.match(git(r.bare, 'log', '-1', '--format=%s%n%(trailers:key=Pipeline-Kind,valueonly)'), /^rollback production: 000200020002 \(a0000002a000\) → 000100010001 \(a0000001a000\)\nrollback/);
  const again = await gitopsRollback({ env, actor: 'e', to: shaOf(2).slice(0, 9) });
  assert.is(again.target.to.digest, digestOf(2));
  assert.is((await gitopsStatus(env)).digest, digestOf(2));
});

test('rollback --to a version never deployed: exit 2, nothing committed', async () => {
  const tip = r.tip();
  const err = await gitopsRollback({ env, actor: 'e', to: digestOf(3) }).catch((e: unknown) => e);
  assert.ok(isPipelineError(err));
  assert.is(err.exitCode, 2);
  assert.match(err.message, /Expected --to to name a version deployed before/);
  assert.match(err.hint!, /deployed versions: 000200020002 \(a000000\), 000100010001 \(a000000\)/);
  assert.is(r.tip(), tip);
});

test.run();
