// The CI plugin's conventions mapped onto the one settings resolver: PLUGIN_* as Drone and Woodpecker
// pass a step's settings (lists comma-joined, mappings as JSON), the .tags file, auto_tag, the hosts'
// commit facts and GitLab's registry login. Expected values follow the docker plugins' own sources
// (drone-plugins/drone-docker cmd/drone-docker/main.go, tags.go and tags_test.go; Woodpecker's
// docker-buildx config.go; GitLab's "Authenticate with the container registry").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPipelineError, mask } from '@pipeline/core';
import { autoTags, checkPluginEnv, destinations, gitTags, logins, resolveFacts, resolveSettings, type Facts } from '../src/settings/index.js';
import { tempDir } from '../../../test/lib/tmp.js';

const err = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isPipelineError(e) ? `${e.exitCode} ${e.message}` : String(e);
  }
  return 'no error';
};
const plugin = (env: Record<string, string>, cwd?: string) => resolveSettings({ env, door: 'plugin', cwd });

test('Drone settings: repo, registry, tags (comma list), dockerfile, context, target, build args, labels, platform, no_cache', () => {
  const s = plugin({
    PLUGIN_REPO: '127.0.0.1:5001/team/app',
    PLUGIN_REGISTRY: '127.0.0.1:5001',
    PLUGIN_USERNAME: 'u',
    PLUGIN_PASSWORD: 'drone-pw-1',
    PLUGIN_TAGS: 'latest,1.2',
    PLUGIN_DOCKERFILE: 'docker/Dockerfile',
    PLUGIN_CONTEXT: 'app',
    PLUGIN_TARGET: 'prod',
    PLUGIN_BUILD_ARGS: 'A=1,B=two',
    PLUGIN_CUSTOM_LABELS: 'team=core,tier=web',
    PLUGIN_PLATFORM: 'linux/amd64',
    PLUGIN_NO_CACHE: 'true',
  });
  assert.equal(
    [s.image, s.registry, s.tags, s.file, s.context, s.target, s.buildArgs, s.labels, s.platform, s.noCache, s.push],
    ['127.0.0.1:5001/team/app', '127.0.0.1:5001', ['latest', '1.2'], 'docker/Dockerfile', 'app', 'prod', { A: '1', B: 'two' }, { team: 'core', tier: 'web' }, 'linux/amd64', true, undefined],
  );
  assert.equal(s.login, { registry: '127.0.0.1:5001', username: 'u', password: 'drone-pw-1', from: 'env:PLUGIN_USERNAME + env:PLUGIN_PASSWORD' });
  assert.equal([s.sources.image, s.sources.tags, s.sources.buildArgs], ['env:PLUGIN_REPO', 'env:PLUGIN_TAGS', 'env:PLUGIN_BUILD_ARGS']);
  assert.is(mask('drone-pw-1'), '***');
});

test('Woodpecker settings: a mapping arrives as JSON, a list comma-joined; kaniko\'s repo under registry; https:// registries', () => {
  const s = plugin({
    CI: 'woodpecker',
    PLUGIN_REGISTRY: 'https://127.0.0.1:5000/v2/',
    PLUGIN_REPO: 'team/app',
    PLUGIN_TAGS: 'a,b',
    PLUGIN_BUILD_ARGS: '{"NODE_ENV":"production","PORT":8080,"DESC":"red, green"}',
    PLUGIN_BUILD_ARGS_FROM_ENV: 'HTTP_PROXY,MISSING_ONE',
    PLUGIN_LABELS: '["org.example.a=1","org.example.b=2"]',
    PLUGIN_PLATFORMS: 'linux/amd64',
    HTTP_PROXY: 'http://proxy:3128',
  });
  assert.equal([s.registry, s.image, s.tags], ['127.0.0.1:5000', '127.0.0.1:5000/team/app', ['a', 'b']]);
  assert.equal(s.buildArgs, { NODE_ENV: 'production', PORT: '8080', DESC: 'red, green', HTTP_PROXY: 'http://proxy:3128' });
  assert.equal(s.labels, { 'org.example.a': '1', 'org.example.b': '2' });
  assert.equal([s.sources.image, s.sources.buildArgs], ['env:PLUGIN_REGISTRY+PLUGIN_REPO', 'env:PLUGIN_BUILD_ARGS+PLUGIN_BUILD_ARGS_FROM_ENV']);
  // A repo that names its registry is taken whole (drone-docker's way).
  assert.is(plugin({ PLUGIN_REGISTRY: 'r1.io', PLUGIN_REPO: 'localhost:5000/x/y' }).image, 'localhost:5000/x/y');
  assert.is(plugin({ PLUGIN_REPO: 'team/app' }).image, 'team/app');
});

test('dry_run builds without pushing; false leaves the plugin\'s default', () => {
  assert.equal([plugin({ PLUGIN_DRY_RUN: 'true' }).push, plugin({ PLUGIN_DRY_RUN: 'true' }).sources.push], [false, 'env:PLUGIN_DRY_RUN']);
  assert.is(plugin({ PLUGIN_DRY_RUN: 'false' }).push, undefined);
  assert.is(err(() => plugin({ PLUGIN_DRY_RUN: 'perhaps' })), "2 Expected PLUGIN_DRY_RUN to be true or false, got 'perhaps'");
});

test('tags: tags_file > tags > a .tags file in the workspace (commas or newlines); .tags only for the plugin', () => {
  const ws = tempDir('plugin-tags-');
  writeFileSync(join(ws, '.tags'), '1.0.0, 1.0\nstable\n');
  writeFileSync(join(ws, 'release.tags'), 'rc1\nrc');
  assert.equal([plugin({}, ws).tags, plugin({}, ws).sources.tags], [['1.0.0', '1.0', 'stable'], 'file:.tags']);
  assert.equal(plugin({ PLUGIN_TAGS: 'x' }, ws).tags, ['x']);
  assert.equal(plugin({ PLUGIN_TAGS: 'x', PLUGIN_TAGS_FILE: 'release.tags' }, ws).tags, ['rc1', 'rc']);
  assert.is(resolveSettings({ env: {}, door: 'cli', cwd: ws }).tags, undefined, 'the CLI never reads .tags');
  assert.is(plugin({}, tempDir('plugin-notags-')).tags, undefined);
  assert.match(err(() => plugin({ PLUGIN_TAGS_FILE: 'nope.tags' }, ws)), /^2 Expected PLUGIN_TAGS_FILE to name a readable tags file, got "nope.tags": ENOENT/);
});

test('bad settings: JSON that does not parse names the setting and never repeats the text', () => {
  const e = err(() => plugin({ PLUGIN_BUILD_ARGS: '{"TOKEN": "s3cr3t-value",}' }));
  assert.match(e, /^2 Expected PLUGIN_BUILD_ARGS to be valid JSON/);
  assert.not.match(e, /s3cr3t/);
  assert.match(err(() => plugin({ PLUGIN_LABELS: '{"a": {"b": 1}}' })), /^2 Expected PLUGIN_LABELS to hold plain values/);
  const c = err(() => plugin({ PLUGIN_CONFIG: '{"auths":{"r.io":{"auth":"dTpzM2NyM3Q="}}}' }));
  assert.match(c, /^2 Expected PLUGIN_CONFIG to be the path of pipeline.yml, got JSON/);
  assert.not.match(c, /dTpz/);
  assert.match(err(() => plugin({ PLUGIN_BUILD_ARGS_FROM_ENV: 'A=1' })), /^2 Expected PLUGIN_BUILD_ARGS_FROM_ENV to list variable names/);
  assert.match(err(() => plugin({ PLUGIN_LOGINS: '[{"registry":"r.io","username":"u"}]' })), /^2 Expected PLUGIN_LOGINS item 1 to have registry, username and password/);
});

test('unknown PLUGIN_*: a typo of a known setting is exit 2 naming it; the docker plugins\' daemon settings warn; others warn', () => {
  assert.is(err(() => checkPluginEnv({ PLUGIN_DOCKERFIL: 'x' })), '2 unknown setting dockerfil (PLUGIN_DOCKERFIL): did you mean dockerfile (PLUGIN_DOCKERFILE)?');
  assert.is(err(() => checkPluginEnv({ PLUGIN_BUILD_ARG: 'A=1' })), '2 unknown setting build_arg (PLUGIN_BUILD_ARG): did you mean build_args (PLUGIN_BUILD_ARGS)?');
  assert.is(err(() => checkPluginEnv({ PLUGIN_REGISTY: 'r' })), '2 unknown setting registy (PLUGIN_REGISTY): did you mean registry (PLUGIN_REGISTRY)?');
  const ok = checkPluginEnv({ PLUGIN_REPO: 'a/b', PLUGIN_PURGE: 'true', PLUGIN_SLACK_WEBHOOK_FOR_NOTIFICATIONS: 'x', DRONE: 'true' });
  assert.equal(ok.warnings, [
    'setting purge (PLUGIN_PURGE) is ignored: no Docker daemon runs here: nothing is left to clean up',
    "setting slack_webhook_for_notifications (PLUGIN_SLACK_WEBHOOK_FOR_NOTIFICATIONS) is not one of this plugin's and is ignored",
  ]);
});

test('GitLab: the job gets CI_REGISTRY_USER/PASSWORD, else the job token as gitlab-ci-token, else the deploy token, for CI_REGISTRY only', () => {
  const base = { GITLAB_CI: 'true', CI_REGISTRY: '127.0.0.1:5002', CI_REGISTRY_IMAGE: '127.0.0.1:5002/group/project' };
  const job = plugin({ ...base, CI_JOB_TOKEN: 'job-token-1', CI_DEPLOY_USER: 'gitlab+deploy-token-1', CI_DEPLOY_PASSWORD: 'deploy-pw-1' });
  assert.equal(job.login, { registry: '127.0.0.1:5002', username: 'gitlab-ci-token', password: 'job-token-1', from: 'ci:CI_JOB_TOKEN' });
  assert.equal([job.image, job.sources.username], ['127.0.0.1:5002/group/project', 'ci:CI_JOB_TOKEN']);
  const user = plugin({ ...base, CI_REGISTRY_USER: 'gitlab-ci-token', CI_REGISTRY_PASSWORD: 'reg-pw-1', CI_JOB_TOKEN: 'job-token-1' });
  assert.equal([user.login?.username, user.login?.password], ['gitlab-ci-token', 'reg-pw-1']);
  // GitLab's own example: docker login -u $CI_REGISTRY_USER -p $CI_JOB_TOKEN.
  const documented = plugin({ ...base, CI_REGISTRY_USER: 'gitlab-ci-token', CI_JOB_TOKEN: 'job-token-2' });
  assert.equal([documented.login?.username, documented.login?.password, documented.login?.from], ['gitlab-ci-token', 'job-token-2', 'ci:CI_REGISTRY_USER + ci:CI_JOB_TOKEN']);
  const deployToken = plugin({ ...base, CI_DEPLOY_USER: 'gitlab+deploy-token-1', CI_DEPLOY_PASSWORD: 'deploy-pw-1' });
  assert.equal([deployToken.login?.username, deployToken.login?.from], ['gitlab+deploy-token-1', 'ci:CI_DEPLOY_USER + ci:CI_DEPLOY_PASSWORD']);
  // An explicit login wins, and goes to its own registry; the job token never leaves CI_REGISTRY.
  const own = plugin({ ...base, CI_JOB_TOKEN: 'job-token-1', PLUGIN_REGISTRY: '127.0.0.1:5001', PLUGIN_USERNAME: 'pipeline', PLUGIN_PASSWORD: 'own-pw-1' });
  assert.equal(logins(own, '127.0.0.1:5002'), { '127.0.0.1:5001': { username: 'pipeline', password: 'own-pw-1' } });
  assert.equal(logins(job, '127.0.0.1:5001'), { '127.0.0.1:5002': { username: 'gitlab-ci-token', password: 'job-token-1' } });
  // Woodpecker shares CI_ names: there CI_JOB_TOKEN means nothing.
  assert.is(plugin({ ...base, GITLAB_CI: '', CI: 'woodpecker', CI_JOB_TOKEN: 'job-token-1' }).login, undefined);
  assert.is(mask('job-token-1 reg-pw-1 deploy-pw-1 job-token-2'), '*** *** *** ***');
});

test('more logins: docker_config_json (Docker\'s config.json) and logins (a list), each for its registry, masked', () => {
  const auth = Buffer.from('cfg-user:cfg-pw-1').toString('base64');
  const s = plugin({
    PLUGIN_DOCKER_CONFIG_JSON: JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth }, 'quay.io': { username: 'q', password: 'quay-pw-1' } } }),
    PLUGIN_LOGINS: JSON.stringify([{ registry: 'https://codeberg.org', username: 'c', password: 'cb-pw-1' }]),
    PLUGIN_REGISTRY: 'ghcr.io',
    PLUGIN_USERNAME: 'g',
    PLUGIN_PASSWORD: 'gh-pw-1',
  });
  assert.equal(logins(s), {
    'docker.io': { username: 'cfg-user', password: 'cfg-pw-1' },
    'quay.io': { username: 'q', password: 'quay-pw-1' },
    'codeberg.org': { username: 'c', password: 'cb-pw-1' },
    'ghcr.io': { username: 'g', password: 'gh-pw-1' },
  });
  assert.is(mask('cfg-pw-1 quay-pw-1 cb-pw-1'), '*** *** ***');
  assert.match(err(() => plugin({ PLUGIN_DOCKER_CONFIG_JSON: '{"auths": {"r.io": {"auth": "' })), /^2 Expected PLUGIN_DOCKER_CONFIG_JSON to be JSON, got text that does not parse$/);
});

// drone-docker's TestDefaultTags / TestDefaultTagSuffix, as (ref, default branch?) → tags.
const facts = (tag?: string, branch = 'main', defaultBranch = 'main'): Pick<Facts, 'git' | 'tag'> => ({
  tag,
  git: { sha: 'a'.repeat(40), short: 'aaaaaaa', branch, tags: tag ? [tag] : [], dirty: false, dirtyFiles: [], author: '', defaultBranch },
});
test('auto_tag follows drone-docker\'s DefaultTags (its own test table), with and without a suffix', () => {
  const cases: [string | undefined, string | undefined, string[]][] = [
    [undefined, undefined, ['latest']],
    ['0.9.0', undefined, ['0.9', '0.9.0']],
    ['1.0.0', undefined, ['1', '1.0', '1.0.0']],
    ['v1.0.0', undefined, ['1', '1.0', '1.0.0']],
    ['v1.0.0-alpha.1', undefined, ['1.0.0-alpha.1']],
    [undefined, 'linux-amd64', ['linux-amd64']],
    ['v1.0.0', 'linux-amd64', ['1-linux-amd64', '1.0-linux-amd64', '1.0.0-linux-amd64']],
    ['v1.9.2', 'nanoserver', ['1-nanoserver', '1.9-nanoserver', '1.9.2-nanoserver']],
    ['v18.06.0', 'nanoserver', ['18-nanoserver', '18.06-nanoserver', '18.06.0-nanoserver']],
  ];
  for (const [tag, suffix, want] of cases) assert.equal(autoTags(facts(tag), suffix), want, `${tag ?? 'main'} ${suffix ?? ''}`);
  // Not the default branch: no automatic tags (drone-docker skips the build; the SHA tags still go).
  assert.equal(autoTags(facts(undefined, 'feature/x')), []);
  // drone-docker fails on a tag that is no version; here the tag names the image.
  assert.equal(autoTags(facts('release-2025')), ['release-2025']);
});

test('auto_tag adds to the git SHA tags (the version tags then follow the plugins\' rules)', () => {
  const f = { ...facts('v0.3.1'), actor: '', ci: true, sources: {} } as Facts;
  assert.equal(gitTags(f, { autoTag: true }), ['a'.repeat(40), 'sha-aaaaaaa', 'main', '0.3', '0.3.1']);
  assert.equal(gitTags(f), ['a'.repeat(40), 'sha-aaaaaaa', 'main', '0.3.1', '0.3', '0']);
});

test('given tags and auto_tag: both, as Woodpecker buildx has it (the e2e test pushes them)', async () => {
  const f = Promise.resolve({ ...facts('v2.0.0'), actor: '', ci: true, sources: {} } as Facts);
  const d = destinations(plugin({ PLUGIN_REPO: 'r.io/a/b', PLUGIN_TAGS: 'x,y', PLUGIN_AUTO_TAG: 'true', PLUGIN_AUTO_TAG_SUFFIX: 'arm' }), f, 'any');
  assert.equal(await d.repositories[0].tags, ['x', 'y', '2-arm', '2.0-arm', '2.0.0-arm']);
});

test('commit facts: Drone DRONE_COMMIT_REF, Woodpecker CI_COMMIT_REF, GitLab CI_COMMIT_REF_NAME (no checkout)', async () => {
  const dir = tempDir('plugin-facts-');
  const sha = 'b'.repeat(40);
  const drone = await resolveFacts({ env: { DRONE: 'true', DRONE_COMMIT_SHA: sha, DRONE_COMMIT_REF: 'refs/tags/v2.1.0', DRONE_REPO_BRANCH: 'main' } }, dir);
  assert.equal([drone.host, drone.tag, drone.git?.tags, drone.git?.branch, drone.git?.defaultBranch], ['drone', 'v2.1.0', ['v2.1.0'], undefined, 'main']);
  const droneBranch = await resolveFacts({ env: { DRONE: 'true', DRONE_COMMIT_SHA: sha, DRONE_COMMIT_REF: 'refs/heads/dev' } }, dir);
  assert.equal([droneBranch.git?.branch, droneBranch.tag], ['dev', undefined]);
  const wp = await resolveFacts({ env: { CI: 'woodpecker', CI_COMMIT_SHA: sha, CI_COMMIT_REF: 'refs/tags/v3.0.0', CI_REPO_DEFAULT_BRANCH: 'trunk', CI_PIPELINE_EVENT: 'tag' } }, dir);
  assert.equal([wp.host, wp.tag, wp.git?.defaultBranch, wp.event], ['woodpecker', 'v3.0.0', 'trunk', 'tag']);
  const gl = await resolveFacts({ env: { GITLAB_CI: 'true', CI_COMMIT_SHA: sha, CI_COMMIT_SHORT_SHA: 'bbbbbbbb', CI_COMMIT_REF_NAME: 'feature-1', CI_DEFAULT_BRANCH: 'main' } }, dir);
  assert.equal([gl.git?.branch, gl.git?.short, gl.sources.branch], ['feature-1', 'bbbbbbb', 'ci:CI_COMMIT_REF_NAME']);
  const glTag = await resolveFacts({ env: { GITLAB_CI: 'true', CI_COMMIT_SHA: sha, CI_COMMIT_REF_NAME: 'v4.0.0', CI_COMMIT_TAG: 'v4.0.0' } }, dir);
  assert.equal([glTag.git?.branch, glTag.tag], [undefined, 'v4.0.0']);
});

test('a .tags file the CI wrote does not make the checkout dirty', async () => {
  const ws = tempDir('plugin-dirty-');
  const git = (...a: string[]) => execFileSync('git', a, { cwd: ws, env: { ...process.env, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@x', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@x' } });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(ws, 'f'), '1');
  git('add', '.');
  git('commit', '-qm', 'one');
  writeFileSync(join(ws, '.tags'), 'x');
  const env = { DRONE: 'true', CI: 'true' };
  assert.is((await resolveFacts({ env }, ws)).git?.dirty, true);
  const f = await resolveFacts({ env, ciFiles: ['.tags'] }, ws);
  assert.equal([f.git?.dirty, f.git?.dirtyFiles], [false, []]);
  assert.is(gitTags(f).length, 3, 'sha, sha-short, branch: not refused as dirty in CI');
  const d = destinations(plugin({ PLUGIN_REPO: '127.0.0.1:5000/a/b' }, ws), Promise.resolve(f), 'any');
  assert.equal(await d.repositories[0].tags, ['x'], 'and its tags are the ones pushed');
});

test.run();
