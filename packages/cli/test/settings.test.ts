// The one settings resolver: every layer in its order, how each front door's names are read, and the
// commit facts (explicit > the checkout's git > the CI's variables) against real git checkouts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPipelineError, mask } from '@pipeline/core';
import { loadConfig } from '../src/config/index.js';
import { destinations, logins, resolveFacts, resolveSettings, type SettingFlags } from '../src/settings/index.js';
import { tempDir } from '../../../test/lib/tmp.js';

const config = await loadConfig(join(fileURLToPath(new URL('./config/fixtures/good/', import.meta.url)), 'pipeline.yml'));

// One row per layer, highest first; each row sets every setting, so the first row present must win.
// pipeline.yml sits between the explicit layers and the CI host's defaults.
const layers: { name: string; flags?: SettingFlags; env?: Record<string, string> }[] = [
  { name: 'flag', flags: { registry: 'flag.io', namespace: 'flagns', tags: ['f1'], images: ['app'], insecure: true, strict: true, sha: 'f'.repeat(40), branch: 'flag-branch' } },
  { name: 'pipeline', env: { PIPELINE_REGISTRY: 'pipe.io', PIPELINE_NAMESPACE: 'pipens', PIPELINE_TAGS: 'p1, p2', PIPELINE_IMAGES: 'node', PIPELINE_INSECURE: 'false', PIPELINE_STRICT: 'false', PIPELINE_SHA: 'a'.repeat(40), PIPELINE_BRANCH: 'pipe-branch' } },
  { name: 'plugin', env: { PLUGIN_REGISTRY: 'plugin.io', PLUGIN_NAMESPACE: 'pluginns', PLUGIN_TAGS: 'd1,d2', PLUGIN_IMAGES: 'os,app', PLUGIN_INSECURE: 'true', PLUGIN_STRICT: 'true' } },
];
const gitlab = { GITLAB_CI: 'true', CI_REGISTRY: 'registry.gitlab.com', CI_REGISTRY_IMAGE: 'registry.gitlab.com/group/project', CI_COMMIT_SHA: 'c'.repeat(40), CI_COMMIT_BRANCH: 'gl-branch' };

const expected: Record<string, object> = {
  flag: { registry: 'flag.io', namespace: 'flagns', tags: ['f1'], images: ['app'], insecure: true, strict: true, sha: 'f'.repeat(40), branch: 'flag-branch' },
  pipeline: { registry: 'pipe.io', namespace: 'pipens', tags: ['p1', 'p2'], images: ['node'], insecure: false, strict: false, sha: 'a'.repeat(40), branch: 'pipe-branch' },
  plugin: { registry: 'plugin.io', namespace: 'pluginns', tags: ['d1', 'd2'], images: ['os', 'app'], insecure: true, strict: true, sha: undefined, branch: undefined },
  config: { registry: '127.0.0.1:5000', namespace: 'team', tags: undefined, images: ['os', 'node', 'app'], insecure: false, strict: false, sha: undefined, branch: undefined },
};

const pick = (s: ReturnType<typeof resolveSettings>) => ({ registry: s.registry, namespace: s.namespace, tags: s.tags, images: s.images, insecure: s.insecure, strict: s.strict, sha: s.sha, branch: s.branch });

for (let top = 0; top <= layers.length; top++) {
  const present = layers.slice(top);
  const name = layers[top]?.name ?? 'config';
  test(`precedence: with layers ${present.map((l) => l.name).join(' + ') || '(none)'} + pipeline.yml + GitLab's CI_*, ${name} wins`, () => {
    const flags = Object.assign({}, ...present.map((l) => l.flags ?? {}));
    const env = Object.assign({ ...gitlab }, ...present.map((l) => l.env ?? {}));
    assert.equal(pick(resolveSettings({ flags, env, config })), expected[name]);
  });
}

test("the CI host's registry defaults apply below pipeline.yml, and only when that host is detected", () => {
  const s = resolveSettings({ env: gitlab });
  assert.equal([s.registry, s.namespace, s.image], ['registry.gitlab.com', 'group/project', 'registry.gitlab.com/group/project']);
  assert.equal([s.sources.registry, s.sources.namespace, s.sources.image], ['ci:CI_REGISTRY', 'ci:CI_REGISTRY_IMAGE', 'ci:CI_REGISTRY_IMAGE']);
  // Woodpecker shares the CI_ prefix: without GITLAB_CI=true the same names mean nothing here.
  const w = resolveSettings({ env: { ...gitlab, GITLAB_CI: '', CI: 'woodpecker' } });
  assert.equal([w.registry, w.namespace, w.image], [undefined, undefined, undefined]);
});

test('sources say where each value came from', () => {
  const s = resolveSettings({ flags: { tags: ['x'] }, env: { PLUGIN_REGISTRY: 'r.io', PIPELINE_STRICT: '1', GITLAB_CI: 'true', CI_REGISTRY_IMAGE: 'gl.io/g/p' }, config });
  assert.equal(
    { registry: s.sources.registry, namespace: s.sources.namespace, tags: s.sources.tags, images: s.sources.images, insecure: s.sources.insecure, strict: s.sources.strict, sha: s.sources.sha },
    { registry: 'env:PLUGIN_REGISTRY', namespace: 'config', tags: 'flag:--tag', images: 'config', insecure: 'config', strict: 'env:PIPELINE_STRICT', sha: 'default' },
  );
  assert.is(s.strict, true);
});

test('immutable version tags and the build number: flag > PIPELINE_* > PLUGIN_* > pipeline.yml > the CI host > default', async () => {
  const strictCfg = await loadConfig(join(fileURLToPath(new URL('./config/fixtures/good/', import.meta.url)), 'immutable-tags.yml'));
  const at = (flags: SettingFlags, env: Record<string, string>, c = config) => {
    const s = resolveSettings({ flags, env, config: c });
    return [s.immutableTags, s.sources.immutableTags, s.buildId, s.sources.buildId];
  };
  const github = { GITHUB_ACTIONS: 'true', GITHUB_RUN_NUMBER: '41' };
  assert.equal(at({}, {}), [false, 'config', undefined, 'default']);
  assert.equal(at({}, { GITHUB_RUN_NUMBER: '41' }), [false, 'config', undefined, 'default'], "the CI's build number only where that CI is detected");
  assert.equal(at({}, github, strictCfg), [true, 'config', '41', 'ci:GITHUB_RUN_NUMBER']);
  assert.equal(at({}, { ...gitlab, CI_PIPELINE_IID: '9' }), [false, 'config', '9', 'ci:CI_PIPELINE_IID']);
  assert.equal(at({}, { DRONE: 'true', DRONE_BUILD_NUMBER: '7', PLUGIN_IMMUTABLE_TAGS: 'yes' }), [true, 'env:PLUGIN_IMMUTABLE_TAGS', '7', 'ci:DRONE_BUILD_NUMBER']);
  assert.equal(at({}, { ...github, PIPELINE_IMMUTABLE_TAGS: 'no', PLUGIN_IMMUTABLE_TAGS: 'yes', PIPELINE_BUILD_ID: 'p1' }, strictCfg), [false, 'env:PIPELINE_IMMUTABLE_TAGS', 'p1', 'env:PIPELINE_BUILD_ID']);
  assert.equal(at({ immutableTags: true, buildId: 'b1' }, { PIPELINE_IMMUTABLE_TAGS: 'no', PIPELINE_BUILD_ID: 'p1' }), [true, 'flag:--immutable-tags', 'b1', 'flag:--build-id']);
});

test('no config, no env: defaults', () => {
  const s = resolveSettings({});
  assert.equal(pick(s), { registry: undefined, namespace: undefined, tags: undefined, images: [], insecure: false, strict: false, sha: undefined, branch: undefined });
  assert.equal([s.noCache, s.summary, s.push, s.buildArgs, s.labels], [false, true, undefined, {}, {}]);
  assert.is(s.sources.insecure, 'default');
});

test('empty env values count as unset (Drone passes unset settings as empty strings)', () => {
  const s = resolveSettings({ env: { PIPELINE_REGISTRY: '', PLUGIN_REGISTRY: 'plugin.io', PLUGIN_TAGS: '' }, config });
  assert.is(s.registry, 'plugin.io');
  assert.is(s.tags, undefined);
});

test('Action inputs: INPUT_<NAME> upper-cased with hyphens kept, read only by the Action, above PIPELINE_*', () => {
  const env = {
    'INPUT_BUILD-ARGS': 'A=1,B=two\nC=x, y',
    'INPUT_NO-CACHE': 'true',
    INPUT_TAGS: '127.0.0.1:5000/a/b:1\n127.0.0.1:5000/a/b:latest, 2',
    INPUT_LABELS: 'org.opencontainers.image.title=app\ndesc=red, green',
    INPUT_PLATFORMS: 'linux/amd64',
    INPUT_PUSH: 'false',
    INPUT_IMAGE: '',
    'INPUT_WORKING-DIRECTORY': 'sub',
    INPUT_SUMMARY: 'FALSE',
    PIPELINE_TAGS: 'from-env',
  };
  const a = resolveSettings({ env, door: 'action' });
  assert.equal(a.buildArgs, { A: '1', B: 'two', C: 'x, y' });
  assert.equal(a.labels, { 'org.opencontainers.image.title': 'app', desc: 'red, green' });
  assert.equal(a.tags, ['127.0.0.1:5000/a/b:1', '127.0.0.1:5000/a/b:latest', '2']);
  assert.equal([a.noCache, a.push, a.summary, a.platform, a.workingDirectory, a.image], [true, false, false, 'linux/amd64', 'sub', undefined]);
  assert.equal([a.sources.tags, a.sources.buildArgs, a.sources.push], ['input:tags', 'input:build-args', 'input:push']);
  const c = resolveSettings({ env, door: 'cli' });
  assert.equal([c.tags, c.noCache, c.push], [['from-env'], false, undefined]);
});

const err = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isPipelineError(e) ? `${e.exitCode} ${e.message}` : String(e);
  }
  return 'no error';
};

test('bad values are usage errors naming their source as the user wrote it', () => {
  assert.is(err(() => resolveSettings({ env: { PLUGIN_INSECURE: 'maybe' } })), "2 Expected PLUGIN_INSECURE to be true or false, got 'maybe'");
  assert.is(err(() => resolveSettings({ env: { INPUT_PUSH: 'yes please' }, door: 'action' })), "2 Expected input 'push' to be true or false, got 'yes please'");
  assert.is(err(() => resolveSettings({ env: { PIPELINE_IMAGES: 'ap' }, config })), "2 unknown image 'ap' (from PIPELINE_IMAGES) (did you mean 'app'?); images: os, node, app");
  assert.is(err(() => resolveSettings({ env: { INPUT_PLATFORMS: 'linux/amd64,linux/arm64' }, door: 'action' })), "2 Expected one platform, got linux/amd64, linux/arm64 from input 'platforms'");
  assert.is(err(() => resolveSettings({ env: { INPUT_IMAGE: 'reg.io/team/app:1.0' }, door: 'action' })), `2 Expected input 'image' to be a repository without a tag, got "reg.io/team/app:1.0"`);
  assert.match(err(() => resolveSettings({ flags: { tags: ['reg.io/Team/app:1'] } })), /^2 Expected --tag to hold image references, got "reg.io\/Team\/app:1"/);
  assert.is(err(() => resolveSettings({ env: { 'INPUT_BUILD-ARGS': 'A=1\n=x' }, door: 'action' })), `2 Expected input 'build-args' KEY=VALUE (or KEY alone, taken from the environment), got "=x"`);
  assert.match(err(() => resolveSettings({ env: { PIPELINE_REGISTRY_USERNAME: 'u' } })), /^2 a registry username is set \(PIPELINE_REGISTRY_USERNAME\) but no password/);
});

test('a login belongs to the registry setting, else to the registry of the image or of a full tag; its password is masked', () => {
  const a = resolveSettings({ env: { PIPELINE_REGISTRY_USERNAME: 'u', PIPELINE_REGISTRY_PASSWORD: 'pw-settings-1', PIPELINE_REGISTRY: 'r1.io' } });
  assert.equal(a.login, { registry: 'r1.io', username: 'u', password: 'pw-settings-1', from: 'env:PIPELINE_REGISTRY_USERNAME + env:PIPELINE_REGISTRY_PASSWORD' });
  const b = resolveSettings({ env: { INPUT_USERNAME: 'u', INPUT_PASSWORD: 'pw-settings-2', INPUT_TAGS: 'ghcr.io/o/app:1' }, door: 'action' });
  assert.is(b.login?.registry, 'ghcr.io');
  assert.equal(logins(b), { 'ghcr.io': { username: 'u', password: 'pw-settings-2' } });
  // No registry known: it goes to the registry the caller pushes to, and nowhere else.
  const c = resolveSettings({ env: { PIPELINE_REGISTRY_USERNAME: 'u', PIPELINE_REGISTRY_PASSWORD: 'pw-settings-3' } });
  assert.equal(logins(c), {});
  assert.equal(logins(c, '127.0.0.1:5001'), { '127.0.0.1:5001': { username: 'u', password: 'pw-settings-3' } });
  assert.is(mask(`x pw-settings-1 ${Buffer.from('u:pw-settings-2').toString('base64')}`), 'x *** ***');
});

// ---- commit facts, on real checkouts ----
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'Dev One', GIT_AUTHOR_EMAIL: 'dev@x', GIT_COMMITTER_NAME: 'Dev One', GIT_COMMITTER_EMAIL: 'dev@x' };
const git = (dir: string, ...a: string[]) => execFileSync('git', a, { cwd: dir, encoding: 'utf8', env: gitEnv }).trim();
const origin = tempDir('settings-origin-');
git(origin, 'init', '-q', '-b', 'main');
writeFileSync(join(origin, 'f'), '1');
git(origin, 'add', '.');
git(origin, 'commit', '-qm', 'one');
git(origin, 'tag', 'v1.4.2');
writeFileSync(join(origin, 'f'), '2');
git(origin, 'commit', '-qam', 'two');
git(origin, 'tag', 'v1.5.0');
const HEAD = git(origin, 'rev-parse', 'HEAD');
const gh = (extra: Record<string, string>) => ({ GITHUB_ACTIONS: 'true', GITHUB_SHA: HEAD, GITHUB_ACTOR: 'octocat', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '42', ...extra });

test('facts: the checkout wins over the CI; explicit settings win over both', async () => {
  const f = await resolveFacts({ env: gh({ GITHUB_REF: 'refs/heads/other', GITHUB_SHA: 'b'.repeat(40) }) }, origin);
  assert.equal([f.git?.sha, f.git?.branch, f.git?.tags, f.sources.sha, f.sources.branch], [HEAD, 'main', ['v1.5.0'], 'git', 'git']);
  assert.equal([f.actor, f.sources.actor, f.runUrl, f.host, f.ci], ['octocat', 'ci:GITHUB_ACTOR', 'https://github.com/o/r/actions/runs/42', 'github', true]);
  const e = await resolveFacts({ flags: { branch: 'flagged' }, env: { PIPELINE_SHA: 'D'.repeat(40), PIPELINE_ACTOR: 'me' } }, origin);
  assert.equal([e.git?.sha, e.git?.short, e.git?.branch, e.actor, e.sources.sha, e.sources.branch], ['d'.repeat(40), 'ddddddd', 'flagged', 'me', 'env:PIPELINE_SHA', 'flag:--branch']);
  assert.is(e.git?.commitTime, undefined, 'another commit than the checkout: its time is unknown');
  const run = await resolveFacts({ env: gh({ PIPELINE_CI_RUN: 'https://ci.example.com/runs/7' }) }, origin);
  assert.equal([run.runUrl, run.sources.runUrl], ['https://ci.example.com/runs/7', 'env:PIPELINE_CI_RUN'], 'PIPELINE_CI_RUN names the run where no known CI does, and wins over one');
  assert.is(err(() => resolveSettings({})), 'no error');
  const bad = await resolveFacts({ env: { PIPELINE_SHA: 'not-a-sha' } }, origin).catch((x: Error) => x.message);
  assert.is(bad, 'Expected a commit SHA (7 to 64 hex digits) from PIPELINE_SHA, got "not-a-sha"');
});

test('facts: a shallow clone of a pull request (detached merge commit) takes the branch from GITHUB_HEAD_REF, not refs/pull/N/merge', async () => {
  const clone = tempDir('settings-shallow-');
  // As actions/checkout does: fetch one commit without tags, check it out detached.
  git(clone, 'init', '-q');
  git(clone, 'fetch', '-q', '--depth', '1', '--no-tags', `file://${origin}`, 'main');
  git(clone, 'checkout', '-q', '--detach', 'FETCH_HEAD');
  assert.is(git(clone, 'rev-parse', '--is-shallow-repository'), 'true');
  const f = await resolveFacts({ env: gh({ GITHUB_REF: 'refs/pull/7/merge', GITHUB_HEAD_REF: 'feature/x', GITHUB_EVENT_NAME: 'pull_request' }) }, clone);
  assert.equal([f.git?.sha, f.git?.branch, f.sources.branch, f.event], [HEAD, 'feature/x', 'ci:GITHUB_HEAD_REF', 'pull_request']);
  assert.equal(f.git?.tags, [], 'a shallow clone of a branch has no tags');
  // A tag push: the tag from GITHUB_REF counts when it names this very commit.
  const t = await resolveFacts({ env: gh({ GITHUB_REF: 'refs/tags/v2.0.0' }) }, clone);
  assert.equal([t.git?.tags, t.git?.branch, t.sources.tags], [['v2.0.0'], undefined, 'ci:GITHUB_REF']);
  const other = await resolveFacts({ env: gh({ GITHUB_REF: 'refs/tags/v2.0.0', GITHUB_SHA: 'e'.repeat(40) }) }, clone);
  assert.equal(other.git?.tags, []);
  // The default branch comes from the event payload when the clone has no origin/HEAD.
  const ev = join(tempDir('settings-event-'), 'event.json');
  writeFileSync(ev, JSON.stringify({ repository: { default_branch: 'trunk' } }));
  assert.is((await resolveFacts({ env: gh({ GITHUB_EVENT_PATH: ev }) }, clone)).git?.defaultBranch, 'trunk');
});

test('facts: GitLab and Woodpecker share CI_ names and are told apart; no checkout: the CI names the commit', async () => {
  const notGit = tempDir('settings-nogit-');
  const common = { CI_COMMIT_SHA: 'c'.repeat(40), CI_COMMIT_BRANCH: 'dev', CI_COMMIT_AUTHOR: 'Jane <j@x>', GITLAB_USER_LOGIN: 'jane' };
  const gl = await resolveFacts({ env: { ...common, GITLAB_CI: 'true', CI: 'true' } }, notGit);
  assert.equal([gl.host, gl.git?.sha, gl.git?.branch, gl.actor], ['gitlab', 'c'.repeat(40), 'dev', 'jane']);
  const wp = await resolveFacts({ env: { ...common, CI: 'woodpecker' } }, notGit);
  assert.equal([wp.host, wp.git?.sha, wp.actor], ['woodpecker', 'c'.repeat(40), 'Jane <j@x>']);
  const none = await resolveFacts({ env: { ...common, USER: 'login' } }, notGit);
  assert.equal([none.host, none.git, none.actor, none.ci], [undefined, undefined, 'login', false]);
  const drone = await resolveFacts({ env: { DRONE: 'true', DRONE_COMMIT_SHA: 'd'.repeat(40), DRONE_COMMIT_BRANCH: 'main', DRONE_COMMIT_AUTHOR: 'drone-user' } }, origin);
  assert.equal([drone.host, drone.git?.sha, drone.actor], ['drone', HEAD, 'drone-user']);
  const author = await resolveFacts({ env: {} }, origin);
  assert.equal([author.actor, author.sources.actor], ['Dev One <dev@x>', 'git']);
});

test('destinations: -t REGISTRY/REPO:TAG pushes there; with an image a bare tag is its tag; NAME:TAG names local outputs', async () => {
  const facts = resolveFacts({ env: {} }, origin);
  const of = async (flags: SettingFlags, door: 'remote-tags' | 'any' = 'remote-tags') => {
    const d = destinations(resolveSettings({ flags }), facts, door);
    return { push: d.push, local: d.localNames, repos: await Promise.all(d.repositories.map(async (r) => `${r.repository.registry}/${r.repository.repository} ${(await r.tags).join(',')}`)) };
  };
  assert.equal(await of({ tags: ['127.0.0.1:5000/t/app:1.2', '127.0.0.1:5000/t/app:latest', 'ghcr.io/o/app:1.2'] }), { push: true, local: [], repos: ['127.0.0.1:5000/t/app 1.2,latest', 'ghcr.io/o/app 1.2'] });
  assert.equal(await of({ image: '127.0.0.1:5000/t/app', tags: ['1.2', 'stable'], push: true }), { push: true, local: [], repos: ['127.0.0.1:5000/t/app 1.2,stable'] });
  assert.equal(await of({ image: '127.0.0.1:5000/t/app', push: true }), { push: true, local: [], repos: [`127.0.0.1:5000/t/app ${HEAD},sha-${HEAD.slice(0, 7)},main,1.5.0,1.5,1`] });
  assert.equal(await of({ tags: ['app:1.0', 'web'] }), { push: false, local: ['app:1.0', 'web:latest'], repos: [] });
  assert.equal(await of({ image: '127.0.0.1:5000/t/app' }), { push: false, local: [], repos: ['127.0.0.1:5000/t/app '] });
  assert.equal((await of({ image: '127.0.0.1:5000/t/app' }, 'any')).push, true, 'the Action pushes when it knows where');
  assert.equal((await of({ tags: ['127.0.0.1:5000/t/app:1'], push: false })).push, false);
  assert.is(err(() => destinations(resolveSettings({ flags: { push: true, tags: ['1.0'] } }), facts, 'remote-tags')), '2 a push needs somewhere to go: --image REGISTRY/REPOSITORY, or -t REGISTRY/REPOSITORY:TAG');
  const noGit = destinations(resolveSettings({ flags: { image: 'r.io/a', push: true } }), resolveFacts({ env: {} }, tempDir('settings-nogit2-')), 'remote-tags');
  const why = await noGit.repositories[0].tags.catch((e: Error) => e.message);
  assert.match(String(why), /not a git checkout and no commit SHA was given/);
});

test.run();
