// target: gitops through the bundled binary, against a bare manifests repository: bad config is exit 2
// at pipeline.yml:line:col with nothing committed; deploy commits; the same image again commits
// nothing; diff prints the file diff; status, history; a failing verify reverts and exits 1; rollback.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../test/lib/cli.js';
import { tempDir } from '../../../test/lib/tmp.js';
import { git, manifestsRemote } from '../../deploy/test/helpers/gitops-repo.js';
import { digestOf, layout, REPO, shaOf } from '../../deploy/test/helpers/gitops-fixture.js';

const FILE = 'overlays/production/kustomization.yaml';
const remote = manifestsRemote(layout(['production']));
const dir = tempDir('gitops-cli-');
const ENV = { PIPELINE_ACTOR: 'Jane Doe <jane@example.com>', PIPELINE_CI_RUN: 'https://ci.example.com/runs/7', NO_COLOR: '1' };
const image = (n: number) => `${REPO}:${shaOf(n)}@${digestOf(n)}`;

/** pipeline.yml with one gitops environment; `edit` and `extra` are YAML lines at the environment's indentation. */
function config(edit = `      - kustomize: ${FILE}`, extra = ''): void {
  writeFileSync(join(dir, 'pipeline.yml'), `version: 1
environments:
  production:
    target: gitops
    image: ${REPO}
    repository:
      url: ${remote.bare}
      branch: main
    edits:
${edit}
${extra}`);
}
const cli = (...args: string[]) => runCli(args, ENV, dir);

test('bad config: exit 2 at pipeline.yml:line:col, nothing committed', async () => {
  const seed = remote.tip();
  const cases: [string, string, RegExp][] = [
    [`      - kustomize: overlays/prod/kustomization.yaml`, '', /pipeline\.yml:10:20: .*Expected overlays\/prod\/kustomization.yaml in the manifests repository, got no such file/],
    [`      - kustomize: ${FILE}\n        name: web`, '', /pipeline\.yml:11:\d+: .*Expected an images: entry with name: web, got only registry.example.com\/team\/web/],
    [`      - helm: base/deployment.yaml\n        paths: { tag: image.tag }`, '', /pipeline\.yml:11:\d+: .*Expected a value at image.tag, got nothing at image/],
    [`      - manifest: base/deployment.yaml\n        container: api`, '', /pipeline\.yml:11:\d+: .*Expected a container named api in the workloads, got only Deployment\/web web/],
    [`      - kustomize: ${FILE}`, '    hosts: [unix:///var/run/docker.sock]\n', /pipeline\.yml:11:\d+: environments\.production\.hosts: Expected one of the keys target, app, image, history, repository, edits, verify, push/],
    [`      - kustomize: ${FILE}`, '    verify: { command: [] }\n', /pipeline\.yml:11:\d+: environments\.production\.verify\.command: Expected a command as a non-empty list/],
  ];
  for (const [edit, extra, message] of cases) {
    config(edit, extra);
    const r = await cli('deploy', 'production', '--image', image(1));
    assert.is(r.code, 2, `${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, r.stderr);
    assert.not.match(r.stderr, /\n\s+at .*\.js:\d+/, 'no stack trace');
  }
  assert.is(remote.tip(), seed);
});

test('deploy commits the pinned image; the same image again commits nothing', async () => {
  config();
  const r = await cli('deploy', 'production', '--image', image(1), '--json');
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { record?: { commit: string; branch: string }; sha: string };
  assert.is(out.record?.commit, remote.tip());
  assert.match(out.record!.branch, /^branch main of .*manifests\.git$/);
  assert.is(out.sha, shaOf(1));
  assert.match(remote.show(FILE), new RegExp(`newTag: ${shaOf(1)}   # set by pipeline\n    digest: ${digestOf(1)}\n`));
  assert.match(git(remote.bare, 'log', '-1', '--format=%B'), /by:   Jane Doe <jane@example.com>\nrun:  https:\/\/ci.example.com\/runs\/7\n/);
  const tip = remote.tip();
  const again = await cli('deploy', 'production', '--image', image(1));
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /already running it: nothing changed/);
  assert.is(remote.tip(), tip);
});

test('diff prints the exact file diff; status shows the digest; history the deploy', async () => {
  config();
  const d = await cli('diff', 'production', '--image', image(2));
  assert.is(d.code, 0, d.stderr);
  assert.match(d.stdout, new RegExp(`image   ${FILE}: 000100010001 → 000200020002\n`));
  assert.match(d.stdout, new RegExp(`diff --git a/${FILE} b/${FILE}\n[^]*\n-    digest: ${digestOf(1)}\n\\+    newTag: ${shaOf(2)}   # set by pipeline\n\\+    digest: ${digestOf(2)}\n`.replace('\n-    digest', '\n-    newTag: ' + shaOf(1) + '   # set by pipeline\n-    digest')));
  const same = await cli('diff', 'production', '--image', image(1));
  assert.match(same.stdout, /no change: the manifests already point at this version/);
  const s = await cli('status', 'production');
  assert.is(s.code, 0, s.stderr);
  assert.match(s.stdout, new RegExp(`${FILE}\n  ${FILE}:8:5  000100010001  ${shaOf(1)}  none`));
  assert.match(s.stdout, /branch main of .*manifests\.git at [0-9a-f]{12}/);
  const h = await cli('history', 'production');
  assert.is(h.code, 0, h.stderr);
  assert.match(h.stdout, /deploy\s+ok\s+\(nothing\) → 000100010001 \(a0000001a000\)  by Jane Doe <jane@example.com>/);
});

test('a failing verify: a revert commit, exit 1 with the reason; rollback goes back by a commit', async () => {
  config(`      - kustomize: ${FILE}`, `    verify: { command: [sh, -c, 'echo "rollout of $PIPELINE_DIGEST not ready" >&2; exit 1'], timeout: 2s, interval: 200ms }\n`);
  const before = remote.show(FILE);
  const r = await cli('deploy', 'production', '--image', image(3));
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`failed in verify[^]*last output: not verified within 2 s; last: sh -c .*: exit 1: rollout of ${digestOf(3)} not ready[^]*rolled back the manifests \\(revert [0-9a-f]{12}\\) to 000100010001`));
  assert.is(remote.show(FILE), before);
  assert.match(git(remote.bare, 'log', '-1', '--format=%s'), /^revert production: 000300030003/);
  config();
  await cli('deploy', 'production', '--image', image(4)).then((x) => assert.is(x.code, 0, x.stderr));
  const back = await cli('rollback', 'production');
  assert.is(back.code, 0, back.stderr);
  assert.match(back.stdout, /rolled production back: 000400040004 → 000100010001/);
  assert.match(git(remote.bare, 'log', '-1', '--format=%s'), /^rollback production: 000400040004 \(a0000004a000\) → 000100010001 \(a0000001a000\)/);
  const h = await cli('history', 'production', '--json');
  assert.equal((JSON.parse(h.stdout) as { entries: { kind: string; result: string; to: { digest: string } }[] }).entries.map((e) => [e.kind, e.result, e.to.digest.slice(7, 11)]), [['rollback', 'ok', '0001'], ['deploy', 'ok', '0004'], ['deploy', 'rolled-back', '0003'], ['deploy', 'ok', '0001']]);
});

test.run();
