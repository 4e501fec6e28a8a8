// The gitops deploy against real git: a bare repository as the remote. A commit with an audit
// message and trailers; no commit when nothing changes; verify by HTTP or a command; a failed verify
// pushes a revert (exact bytes when the file is as the deploy left it) and throws exit 1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isConfigError, isDeployError } from '@pipeline/core';
import { gitopsDeploy, parseDeployTrailers, type GitopsEnvironment } from '../src/index.js';
import { branchUpdates, git, manifestsRemote, scratch, type ManifestsRemote } from './helpers/gitops-repo.js';
import { desired, digestOf, environment, layout, overlay, REPO, shaOf } from './helpers/gitops-fixture.js';

const FILE = 'overlays/production/kustomization.yaml';
const ACTOR = 'Jane Doe <jane@example.com>';

/** Stands in for Argo CD or Flux plus the app: serves the digest the branch points at now (or a fixed one). */
async function servedVersion(r: ManifestsRemote, fixed?: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    const digest = fixed ?? /digest: (\S+)/.exec(r.show(FILE))?.[1] ?? 'none';
    res.setHeader('x-image-digest', digest);
    res.end(JSON.stringify({ app: 'web', digest }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/version`, server };
}

const trailers = (r: ManifestsRemote, rev = 'main') => parseDeployTrailers(git(r.bare, 'log', '-1', '--format=%(trailers:only,unfold)', rev));

test('a deploy is one commit: the pinned edit, the actor as author, an audit message with trailers', async () => {
  const r = manifestsRemote(layout(['production', 'staging']));
  const seed = r.tip();
  const res = await gitopsDeploy({ env: environment('production', r.bare), desired: desired(1), actor: ACTOR, ciRun: 'https://ci.example.com/runs/42' });
  assert.is(r.tip(), res.commit);
  assert.is(git(r.bare, 'rev-parse', `${res.commit}^`).trim(), seed);
  assert.is(r.show(FILE), overlay('production').replace('    newTag: v1   # set by pipeline\n', `    newTag: ${shaOf(1)}   # set by pipeline\n    digest: ${digestOf(1)}\n`));
  assert.is(git(r.bare, 'diff', '--name-only', seed, 'main').trim(), FILE);
  assert.is(git(r.bare, 'log', '-1', '--format=%an <%ae>|%cn <%ce>').trim(), `${ACTOR}|${ACTOR}`);
  const msg = git(r.bare, 'log', '-1', '--format=%B');
  assert.match(msg.split('\n')[0], /^deploy production: v1 → 000100010001 \(a0000001a000\)$/);
  assert.match(msg, new RegExp(`from: ${REPO}:v1\n`));
  assert.match(msg, new RegExp(`to:   ${REPO}:${shaOf(1)}@${digestOf(1)}\n`));
  assert.match(msg, /by:   Jane Doe <jane@example.com>\nrun:  https:\/\/ci.example.com\/runs\/42\n/);
  assert.match(msg, /files:\n  overlays\/production\/kustomization.yaml \(images\[registry.example.com\/team\/web\].newTag, images\[registry.example.com\/team\/web\].digest\)/);
  const t = trailers(r)!;
  assert.equal({ kind: t.kind, env: t.environment, id: t.deployId, actor: t.actor, to: t.to, ci: t.ciRun }, { kind: 'deploy', env: 'production', id: res.deployId, actor: ACTOR, to: { name: REPO, digest: digestOf(1), sha: shaOf(1), tag: shaOf(1) }, ci: 'https://ci.example.com/runs/42' });
  assert.is(t.from, undefined, 'v1 was not pinned by digest');
  assert.is(res.from?.tag, 'v1');
  // git itself reads the trailers.
  assert.is(git(r.bare, 'log', '-1', '--format=%(trailers:key=Pipeline-To-Digest,valueonly)').trim(), digestOf(1));
});

test('the same image again: no commit, exit 0; the next one records from → to', async () => {
  const r = manifestsRemote(layout(['production']));
  const env = environment('production', r.bare);
  const first = await gitopsDeploy({ env, desired: desired(1), actor: ACTOR });
  const again = await gitopsDeploy({ env, desired: desired(1), actor: ACTOR });
  assert.is(again.commit, undefined);
  assert.equal(again.changes, []);
  assert.is(r.tip(), first.commit);
  const next = await gitopsDeploy({ env, desired: desired(2), actor: 'octocat' });
  assert.is(git(r.bare, 'rev-parse', `${next.commit}^`).trim(), first.commit);
  const t = trailers(r)!;
  assert.equal(t.from, { name: REPO, digest: digestOf(1), sha: shaOf(1) });
  assert.is(t.actor, 'octocat');
  assert.match(git(r.bare, 'log', '-1', '--format=%s').trim(), /^deploy production: 000100010001 \(a0000001a000\) → 000200020002 \(a0000002a000\)$/);
});

test('verify by HTTP: the served digest shows the new version → ok, no revert', async () => {
  const r = manifestsRemote(layout(['production']));
  const { url, server } = await servedVersion(r);
  try {
    const env = environment('production', r.bare, { verify: { http: { url, match: 'digest', header: 'x-image-digest' }, timeout: 20_000, interval: 100 } });
    const res = await gitopsDeploy({ env, desired: desired(3), actor: ACTOR });
    assert.ok(res.verify?.ok);
    assert.match(res.verify!.reason, /HTTP 200, x-image-digest: sha256:0003/);
    assert.is(r.tip(), res.commit);
  } finally {
    server.close();
  }
});

test('verify fails (the old version is still served at the deadline): a revert commit restores the bytes, exit 1 with the reason', async () => {
  const r = manifestsRemote(layout(['production']));
  const env = environment('production', r.bare);
  const good = await gitopsDeploy({ env, desired: desired(1), actor: ACTOR });
  const before = r.show(FILE);
  const { url, server } = await servedVersion(r, digestOf(1));
  try {
    const failing: GitopsEnvironment = { ...env, verify: { http: { url, match: 'digest' }, timeout: 1500, interval: 200 } };
    const err = await gitopsDeploy({ env: failing, desired: desired(2), actor: ACTOR }).then(() => undefined, (e: unknown) => e);
    assert.ok(isDeployError(err), String(err));
    assert.is(err.exitCode, 1);
    assert.match(err.message, /failed verification: not verified within 2 s; last: GET http:\/\/127\.0\.0\.1:\d+\/version: HTTP 200, body .* does not show the digest sha256:0002/);
    assert.match(err.message, /reverted in [0-9a-f]{12}: the manifests point at registry.example.com\/team\/web:a0000001.*@sha256:0001/);
    const log = git(r.bare, 'log', '--format=%H %s', `${good.commit}..main`).trim().split('\n');
    assert.is(log.length, 2);
    assert.match(log[0], /revert production: 000200020002 \(a0000002a000\) → 000100010001 \(a0000001a000\)/);
    const deployCommit = log[1].split(' ')[0];
    assert.is(r.show(FILE), before, 'the file is byte for byte what it was');
    const t = trailers(r)!;
    assert.is(t.kind, 'revert');
    assert.is(t.reverts, deployCommit);
    assert.match(t.reason!, /not verified within/);
    assert.is(t.to.digest, digestOf(1));
  } finally {
    server.close();
  }
});

test('verify by command: PIPELINE_* tell it the version; a command that fails reverts', async () => {
  const r = manifestsRemote(layout(['production']));
  // The "controller" reads the branch: the digest must be what the manifests now say.
  const check = ['sh', '-c', `git --git-dir="$0" show main:${FILE} | grep -q "digest: $PIPELINE_DIGEST" && test "$PIPELINE_SHA" = "$PIPELINE_TAG" && test -n "$PIPELINE_GITOPS_COMMIT"`, r.bare];
  const ok = await gitopsDeploy({ env: environment('production', r.bare, { verify: { command: check, timeout: 20_000, interval: 100 } }), desired: desired(4), actor: ACTOR });
  assert.ok(ok.verify?.ok);
  const failing = ['sh', '-c', 'echo "deployment web: 0 of 2 updated replicas are available" >&2; exit 3'];
  const err = await gitopsDeploy({ env: environment('production', r.bare, { verify: { command: failing, timeout: 800, interval: 100 } }), desired: desired(5), actor: ACTOR }).catch((e: unknown) => e);
  assert.ok(isDeployError(err));
  assert.match((err as Error).message, /sh -c .*: exit 3: deployment web: 0 of 2 updated replicas are available/);
  assert.match(r.show(FILE), new RegExp(`digest: ${digestOf(4)}`));
  assert.is(trailers(r)!.kind, 'revert');
});

test('a revert on a branch that moved meanwhile keeps the other change; a field someone re-set is left alone', async () => {
  const r = manifestsRemote(layout(['production', 'staging']));
  const env = environment('production', r.bare);
  await gitopsDeploy({ env, desired: desired(1), actor: ACTOR });
  // While the deploy is being verified, another pipeline deploys staging (another file).
  const other = ['sh', '-c', `cd "$0" && git clone -q "$1" w && cd w && sed -i 's/newTag: v1/newTag: v9/' overlays/staging/kustomization.yaml && git -c user.name=o -c user.email=o@x commit -qam other && git push -q origin HEAD:main; exit 1`, scratch('other-'), r.bare];
  const err = await gitopsDeploy({ env: { ...env, verify: { command: other, timeout: 500, interval: 1000 } }, desired: desired(2), actor: ACTOR }).catch((e: unknown) => e);
  assert.ok(isDeployError(err));
  assert.match((err as Error).message, /reverted in/);
  assert.match(r.show(FILE), new RegExp(`digest: ${digestOf(1)}`));
  assert.match(r.show('overlays/staging/kustomization.yaml'), /newTag: v9/);
  assert.equal(git(r.bare, 'log', '--format=%s', '-3').trim().split('\n').map((s) => s.split(':')[0]), ['revert production', 'other', 'deploy production']);
  // Now someone sets production's digest by hand while our deploy is verified: nothing of ours to take back.
  const digest7 = digestOf(7);
  const hand = ['sh', '-c', `cd "$0" && git clone -q "$1" w2 && cd w2 && sed -i 's/digest: .*/digest: ${digest7}/' ${FILE} && git -c user.name=o -c user.email=o@x commit -qam hand && git push -q origin HEAD:main; exit 1`, scratch('hand-'), r.bare];
  const err2 = await gitopsDeploy({ env: { ...env, verify: { command: hand, timeout: 500, interval: 1000 } }, desired: desired(3), actor: ACTOR }).catch((e: unknown) => e);
  assert.ok(isDeployError(err2));
  assert.match((err2 as Error).message, /NOT reverted: the branch moved on .* no field still holds the failed version/);
  assert.match(r.show(FILE), new RegExp(`digest: ${digest7}\n`));
  // The entry's newTag still holds what the deploy wrote, but the entry goes back as a whole or not at all.
  assert.is(git(r.bare, 'log', '-1', '--format=%s').trim(), 'hand');
});

test('bad config against the repository: exit 2, nothing committed', async () => {
  const r = manifestsRemote(layout(['production']));
  const seed = r.tip();
  const at = (key?: string) => ({ file: 'pipeline.yml', line: 12, column: key === 'name' ? 15 : 9 });
  const cases: [Partial<GitopsEnvironment>, RegExp][] = [
    [{ edits: [{ kind: 'kustomize', file: 'overlays/prod/kustomization.yaml', name: REPO, keepTag: true, at }] }, /Expected overlays\/prod\/kustomization.yaml in the manifests repository/],
    [{ edits: [{ kind: 'kustomize', file: FILE, name: 'web', keepTag: true, at }] }, /Expected an images: entry with name: web, got only registry.example.com\/team\/web/],
    [{ edits: [{ kind: 'helm', file: 'base/deployment.yaml', paths: { tag: 'image.tag' }, at }] }, /Expected a value at image.tag, got nothing at image/],
    [{ edits: [{ kind: 'manifest', file: 'base/deployment.yaml', container: 'api', at }] }, /Expected a container named api in the workloads, got only Deployment\/web web/],
    [{ repository: { url: r.bare, branch: 'nope' } }, /Expected a branch nope in .*manifests.git, got none/],
  ];
  for (const [over, message] of cases) {
    const err = await gitopsDeploy({ env: environment('production', r.bare, over), desired: desired(1), actor: ACTOR }).catch((e: unknown) => e);
    assert.ok(isConfigError(err), String(err));
    assert.is(err.exitCode, 2);
    assert.match(err.message, message);
    if (!over.repository) assert.equal(err.position, at(over.edits![0].kind === 'kustomize' && !over.edits![0].file.includes('prod/') ? 'name' : 'x'));
  }
  assert.is(r.tip(), seed);
  assert.is(branchUpdates(r).length, 0);
});

test('a push the remote refuses (a hook, a protected branch) is not retried: exit 1 with its reason, nothing landed', async () => {
  const r = manifestsRemote(layout(['production']));
  const seed = r.tip();
  const { writeFileSync, chmodSync } = await import('node:fs');
  writeFileSync(`${r.bare}/hooks/pre-receive`, '#!/bin/sh\necho "main is protected: open a merge request" >&2\nexit 1\n');
  chmodSync(`${r.bare}/hooks/pre-receive`, 0o755);
  const err = await gitopsDeploy({ env: environment('production', r.bare), desired: desired(1), actor: ACTOR }).catch((e: unknown) => e);
  assert.ok(isDeployError(err));
  assert.match((err as Error).message, /push to .* \(main\) refused: .*pre-receive hook declined/);
  assert.is(r.tip(), seed);
});

test.run();
