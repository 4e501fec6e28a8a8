// `target: gitops` through the deploy core (deploy()), against real git: a bare repository as the
// remote. A commit with an audit message and trailers; no commit when nothing changes; verify by HTTP
// or a command; a failed verify pushes a revert (exact bytes when the file is as the deploy left it)
// and throws exit 1; bad config against the repository is exit 2 before anything is committed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isConfigError, isDeployError } from '@pipeline/core';
import { deploy, parseDeployTrailers, type GitopsEnvironment } from '../src/index.js';
import { branchUpdates, git, manifestsRemote, scratch, type ManifestsRemote } from './helpers/gitops-repo.js';
import { digestOf, environment, imageRef, layout, overlay, REPO, shaOf } from './helpers/gitops-fixture.js';

const FILE = 'overlays/production/kustomization.yaml';
const ACTOR = 'Jane Doe <jane@example.com>';

/** A deploy of version n, as the CLI runs it. */
const ship = (env: GitopsEnvironment, n: number, o: { actor?: string; ciRun?: string; message?: string } = {}) => deploy({ env, image: imageRef(n), sha: shaOf(n), actor: o.actor ?? ACTOR, ciRun: o.ciRun, message: o.message });

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
  const res = await ship(environment('production', r.bare), 1, { ciRun: 'https://ci.example.com/runs/42', message: 'ship the fix' });
  assert.is(git(r.bare, 'rev-parse', `${r.tip()}^`).trim(), seed);
  assert.is(r.show(FILE), overlay('production').replace('    newTag: v1   # set by pipeline\n', `    newTag: ${shaOf(1)}   # set by pipeline\n    digest: ${digestOf(1)}\n`));
  assert.is(git(r.bare, 'diff', '--name-only', seed, 'main').trim(), FILE);
  assert.is(git(r.bare, 'log', '-1', '--format=%an <%ae>|%cn <%ce>').trim(), `${ACTOR}|${ACTOR}`);
  const msg = git(r.bare, 'log', '-1', '--format=%B');
  assert.match(msg.split('\n')[0], /^deploy production: v1 → 000100010001 \(a0000001a000\)$/);
  assert.match(msg, new RegExp(`from: ${REPO}:v1\n`));
  assert.match(msg, new RegExp(`to:   ${REPO}:${shaOf(1)}@${digestOf(1)}\n`));
  assert.match(msg, /by:   Jane Doe <jane@example.com>\nrun:  https:\/\/ci.example.com\/runs\/42\nwhy:  ship the fix\n/);
  assert.match(msg, /files:\n  overlays\/production\/kustomization.yaml \(images\[registry.example.com\/team\/web\].newTag, images\[registry.example.com\/team\/web\].digest\)/);
  const t = trailers(r)!;
  assert.equal({ kind: t.kind, env: t.environment, id: t.deployId, actor: t.actor, to: t.to, ci: t.ciRun, why: t.message }, { kind: 'deploy', env: 'production', id: res.deployId, actor: ACTOR, to: { name: REPO, digest: digestOf(1), sha: shaOf(1), tag: shaOf(1) }, ci: 'https://ci.example.com/runs/42', why: 'ship the fix' });
  assert.is(t.from, undefined, 'v1 was not pinned by digest');
  assert.equal(res.plan.batches, [[{ host: FILE, start: true }]]);
  assert.equal(res.instances.map((i) => [i.host, i.digest, i.sha]), [[FILE, digestOf(1), shaOf(1)]]);
  // git itself reads the trailers.
  assert.is(git(r.bare, 'log', '-1', '--format=%(trailers:key=Pipeline-To-Digest,valueonly)').trim(), digestOf(1));
});

test('the same image again: no commit, exit 0; the next one records from → to', async () => {
  const r = manifestsRemote(layout(['production']));
  const env = environment('production', r.bare);
  await ship(env, 1);
  const first = r.tip();
  const again = await ship(env, 1);
  assert.equal(again.plan.batches, []);
  assert.is(r.tip(), first);
  const next = await ship(env, 2, { actor: 'octocat' });
  assert.is(next.previous, digestOf(1));
  assert.is(git(r.bare, 'rev-parse', 'main^').trim(), first);
  const t = trailers(r)!;
  assert.equal(t.from, { name: REPO, digest: digestOf(1), sha: shaOf(1) });
  assert.is(t.actor, 'octocat');
  assert.match(git(r.bare, 'log', '-1', '--format=%s').trim(), /^deploy production: 000100010001 \(a0000001a000\) → 000200020002 \(a0000002a000\)$/);
});

test('verify by HTTP: the served digest shows the new version → ok, no revert', async () => {
  const r = manifestsRemote(layout(['production']));
  const { url, server } = await servedVersion(r);
  try {
    const env = environment('production', r.bare, { verify: { http: { url, match: 'digest', header: 'x-image-digest' }, timeout: '20s', interval: '100ms' } });
    await ship(env, 3);
    assert.is(trailers(r)!.kind, 'deploy');
    assert.match(r.show(FILE), new RegExp(`digest: ${digestOf(3)}\n`));
  } finally {
    server.close();
  }
});

test('verify fails (the old version is still served at the deadline): a revert commit restores the bytes, exit 1 with the reason', async () => {
  const r = manifestsRemote(layout(['production']));
  const env = environment('production', r.bare);
  await ship(env, 1);
  const good = r.tip();
  const before = r.show(FILE);
  const { url, server } = await servedVersion(r, digestOf(1));
  try {
    const failing = environment('production', r.bare, { verify: { http: { url }, timeout: '1500ms', interval: '200ms' } });
    const err = await ship(failing, 2).then(() => undefined, (e: unknown) => e);
    assert.ok(isDeployError(err), String(err));
    assert.is(err.exitCode, 1);
    assert.match(err.message, /failed in verify\n  commit: [0-9a-f]{12}  branch: main\n  probe: GET http:\/\/127\.0\.0\.1:\d+\/version shows the digest\n/);
    assert.match(err.message, /last output: not verified within 2 s; last: GET http:\/\/127\.0\.0\.1:\d+\/version: HTTP 200, body .* does not show the digest sha256:0002/);
    assert.match(err.message, /rolled back the manifests \(revert [0-9a-f]{12}\) to 000100010001/);
    const log = git(r.bare, 'log', '--format=%H %s', `${good}..main`).trim().split('\n');
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
  await ship(environment('production', r.bare, { verify: { command: check, timeout: '20s', interval: '100ms' } }), 4);
  assert.is(trailers(r)!.kind, 'deploy');
  const failing = ['sh', '-c', 'echo "deployment web: 0 of 2 updated replicas are available" >&2; exit 3'];
  const err = await ship(environment('production', r.bare, { verify: { command: failing, timeout: '3s', interval: '100ms' } }), 5).catch((e: unknown) => e);
  assert.ok(isDeployError(err));
  assert.match((err as Error).message, /sh -c .*: exit 3: deployment web: 0 of 2 updated replicas are available/);
  assert.match(r.show(FILE), new RegExp(`digest: ${digestOf(4)}`));
  assert.is(trailers(r)!.kind, 'revert');
});

test('a revert on a branch that moved meanwhile keeps the other change; an entry someone re-set is left alone', async () => {
  const r = manifestsRemote(layout(['production', 'staging']));
  const env = environment('production', r.bare);
  await ship(env, 1);
  // While the deploy is being verified, another pipeline deploys staging (another file).
  const other = ['sh', '-c', `cd "$0" && git clone -q "$1" w && cd w && sed -i 's/newTag: v1/newTag: v9/' overlays/staging/kustomization.yaml && git -c user.name=o -c user.email=o@x commit -qam other && git push -q origin HEAD:main; exit 1`, scratch('other-'), r.bare];
  const err = await ship({ ...env, verify: { command: other, timeout: 1000, interval: 5000 } }, 2).catch((e: unknown) => e);
  assert.ok(isDeployError(err));
  assert.match((err as Error).message, /rolled back the manifests \(revert/);
  assert.match(r.show(FILE), new RegExp(`digest: ${digestOf(1)}`));
  assert.match(r.show('overlays/staging/kustomization.yaml'), /newTag: v9/);
  assert.equal(git(r.bare, 'log', '--format=%s', '-3').trim().split('\n').map((s) => s.split(':')[0]), ['revert production', 'other', 'deploy production']);
  // Now someone sets production's digest by hand while our deploy is verified: nothing of ours to take back.
  const digest7 = digestOf(7);
  const hand = ['sh', '-c', `cd "$0" && git clone -q "$1" w2 && cd w2 && sed -i 's/digest: .*/digest: ${digest7}/' ${FILE} && git -c user.name=o -c user.email=o@x commit -qam hand && git push -q origin HEAD:main; exit 1`, scratch('hand-'), r.bare];
  const err2 = await ship({ ...env, verify: { command: hand, timeout: 1000, interval: 5000 } }, 3).catch((e: unknown) => e);
  assert.ok(isDeployError(err2));
  assert.match((err2 as Error).message, /ROLLBACK to 000100010001 FAILED: the branch moved on .* nothing still holds only the failed version/);
  assert.match(r.show(FILE), new RegExp(`digest: ${digest7}\n`));
  // The entry's newTag still holds what the deploy wrote, but the entry goes back as a whole or not at all.
  assert.is(git(r.bare, 'log', '-1', '--format=%s').trim(), 'hand');
});

test('bad config against the repository: exit 2 at its pipeline.yml position, nothing committed', async () => {
  const r = manifestsRemote(layout(['production']));
  const seed = r.tip();
  const cases: [Record<string, unknown>, RegExp, string[]][] = [
    [{ edits: [{ kustomize: 'overlays/prod/kustomization.yaml' }] }, /Expected overlays\/prod\/kustomization.yaml in the manifests repository/, ['edits', '0', 'kustomize']],
    [{ edits: [{ kustomize: FILE, name: 'web' }] }, /Expected an images: entry with name: web, got only registry.example.com\/team\/web/, ['edits', '0', 'name']],
    [{ edits: [{ helm: 'base/deployment.yaml', paths: { tag: 'image.tag' } }] }, /Expected a value at image.tag, got nothing at image/, ['edits', '0', 'paths', 'tag']],
    [{ edits: [{ manifest: 'base/deployment.yaml', container: 'api' }] }, /Expected a container named api in the workloads, got only Deployment\/web web/, ['edits', '0', 'container']],
    [{ repository: { url: r.bare, branch: 'nope' } }, /Expected a branch nope in .*manifests.git, got none/, []],
    [{ repository: { url: 'https://127.0.0.1:1/m.git', token: { env: 'PIPELINE_TEST_UNSET_TOKEN' } } }, /repository.token.env: Expected the environment variable PIPELINE_TEST_UNSET_TOKEN to be set/, ['repository', 'token', 'env']],
  ];
  for (const [over, message, key] of cases) {
    const err = await ship(environment('production', r.bare, over), 1).catch((e: unknown) => e);
    assert.ok(isConfigError(err), String(err));
    assert.is(err.exitCode, 2);
    assert.match(err.message, message);
    if (key.length) assert.is(err.position?.line, 2 + key.length, `${err.message} at ${JSON.stringify(err.position)}`);
  }
  assert.is(r.tip(), seed);
  assert.is(branchUpdates(r).length, 0);
});

test('a push the remote refuses (a hook, a protected branch) is not retried: exit 1 with its reason, nothing landed', async () => {
  const r = manifestsRemote(layout(['production']));
  const seed = r.tip();
  writeFileSync(`${r.bare}/hooks/pre-receive`, '#!/bin/sh\necho "main is protected: open a merge request" >&2\nexit 1\n');
  chmodSync(`${r.bare}/hooks/pre-receive`, 0o755);
  const err = await ship(environment('production', r.bare), 1).catch((e: unknown) => e);
  assert.ok(isDeployError(err));
  assert.match((err as Error).message, /push to .* \(main\) refused: .*pre-receive hook declined/);
  assert.is(r.tip(), seed);
});

test.run();
