// The committed Action bundle, run the way the GitHub runner runs it (test/lib/action.ts), in shallow
// clones made the way actions/checkout makes them, against the real registries and engine: outputs,
// job summary, pushed tags (skopeo), annotations, exit codes, a deploy and a rolled-back one — and no
// credential anywhere but the runner's own ::add-mask:: commands.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needs, services } from '../lib/services.js';
import { tempDir } from '../lib/tmp.js';
import { runCli } from '../lib/cli.js';
import { runAction, workflowCommands, type ActionRun, type GithubEvent } from '../lib/action.js';
import { freeRange } from '../../packages/deploy/test/helpers/ports.js';
import { cleanEngine } from '../../packages/deploy/test/helpers/images.js';

const ok = needs(test, 'docker', 'registry', 'images');
const NS = `action-${process.pid}`;
const APP = `action-itg-${process.pid}`;
const REPO_NAME = 'octo-org/web-shop';
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };
const git = (dir: string, ...a: string[]) => execFileSync('git', a, { cwd: dir, encoding: 'utf8', env: gitEnv }).trim();
const skopeo = (...a: string[]) => execFileSync('skopeo', a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** "GitHub": the repository the runner checks out. */
const origin = tempDir('action-origin-');

/** As actions/checkout@v4 does by default: one commit, no tags, origin set to the https URL. */
function checkout(e: GithubEvent): string {
  const ws = tempDir('action-ws-');
  git(ws, 'init', '-q');
  git(ws, 'remote', 'add', 'origin', `file://${origin}`);
  if (e.name === 'push') {
    git(ws, 'fetch', '-q', '--no-tags', '--prune', '--depth=1', 'origin', `+${e.sha}:refs/remotes/origin/${e.branch}`);
    git(ws, 'checkout', '-q', '--force', '-B', e.branch!, `refs/remotes/origin/${e.branch}`);
  } else {
    git(ws, 'fetch', '-q', '--no-tags', '--prune', '--depth=1', 'origin', `+${e.sha}:refs/remotes/pull/${e.pr!.number}/merge`);
    git(ws, 'checkout', '-q', '--force', `refs/remotes/pull/${e.pr!.number}/merge`);
  }
  git(ws, 'remote', 'set-url', 'origin', `https://github.com/${REPO_NAME}`);
  assert.is(git(ws, 'rev-parse', '--is-shallow-repository'), 'true');
  return ws;
}

function commit(message: string, files: Record<string, string | null>): string {
  for (const [f, text] of Object.entries(files)) {
    if (text === null) rmSync(join(origin, f), { force: true });
    else {
      mkdirSync(join(origin, f, '..'), { recursive: true });
      writeFileSync(join(origin, f), text);
    }
  }
  git(origin, 'add', '-A');
  git(origin, 'commit', '-qm', message);
  return git(origin, 'rev-parse', 'HEAD');
}

/** The runner masks what ::add-mask:: names; we also check it is never printed or written at all. */
function assertNoSecret(r: ActionRun, secrets: string[]): void {
  const lines = r.stdout.split('\n');
  const masks = lines.filter((l) => l.startsWith('::add-mask::')).map((l) => l.slice('::add-mask::'.length));
  for (const s of secrets) assert.ok(masks.includes(s), 'each credential is masked');
  const firstOther = lines.findIndex((l) => !l.startsWith('::add-mask::'));
  assert.ok(lines.slice(firstOther).every((l) => !l.startsWith('::add-mask::')), 'masks come before anything else is printed');
  const printed = [lines.slice(firstOther).join('\n'), r.stderr, ...Object.values(r.files)];
  for (const s of secrets) for (const text of printed) assert.not.ok(text.includes(s), 'a credential was printed or written');
}

const annotations = (r: ActionRun, kind: 'error' | 'warning') => workflowCommands(r.stdout).filter((c) => c.command === kind);

if (ok) {
  const s = services();
  const basic = s.registries.basic;
  const token = s.registries.token;
  const secrets = (u: string, p: string) => [p, Buffer.from(`${u}:${p}`).toString('base64')];
  const ports = await freeRange(20);
  const app = (version: string, health: boolean) => ({
    'Dockerfile': `FROM ${s.images.busybox}\nCOPY www /www\nCOPY httpd.conf /etc/httpd.conf\nLABEL version=${version}\nCMD ["/bin/sh", "-c", "exec httpd -f -vv -p \${PORT:-80} -h /www -c /etc/httpd.conf"]\n`,
    'www/index.html': `${version}\n`,
    'www/health': health ? 'ok\n' : null,
    'httpd.conf': '\n',
  });
  const svc = (version: string, health: boolean) => Object.fromEntries(Object.entries(app(version, health)).map(([k, v]) => [`svc/${k}`, v]));
  const pipelineYml = `version: 1
registry: { url: ${s.registries.anon.host}, namespace: ${NS} }
images:
  web: { dockerfile: Dockerfile, context: ., tags: ["{sha}", "sha-{short}", "{branch}"] }
test:
  web:
    structure:
      - { file: /www/index.html }
      - { file: /etc/httpd.conf }
environments:
  staging:
    app: ${APP}
    image: ${s.registries.anon.host}/${NS}/web
    hosts: [unix:///var/run/docker.sock]
    replicas: 2
    network: host
    hostPorts: ${ports}
    probe: { http: { path: /health }, interval: 1s, timeout: 1s, retries: 2 }
    rollout: { batch: 1, drain: 200ms }
    prune: { auto: false }
`;

  git(origin, 'init', '-q', '-b', 'main');
  git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
  const v1 = commit('v1', {
    ...app('1.0.0', true),
    'broken.Dockerfile': `FROM ${s.images.busybox}\n# a typo on line 3\nCOPYY www /www\n`,
    ...svc('1.0.0', true),
    'svc/pipeline.yml': pipelineYml,
    'svc/bad.yml': 'version: 1\nimages:\n  web: { dockerfile: Dockerfile, exectuor: native }\n',
  });
  const push = (sha: string, branch = 'main'): GithubEvent => ({ name: 'push', sha, branch, repository: REPO_NAME, actor: 'mona' });

  test.after(() => cleanEngine(APP, `${s.registries.anon.host}/${NS}/web`));

  test('push event: builds, pushes tags from git, sets every output, writes the summary; credentials only in ::add-mask::', async () => {
    const ws = checkout(push(v1));
    const repo = `${basic.host}/${NS}/web`;
    const r = await runAction({ workspace: ws, event: push(v1), inputs: { image: repo, username: basic.username, password: basic.password, labels: 'team=web\ndescription=shop, front', 'build-args': 'UNUSED=1' } });
    assert.is(r.code, 0, r.stdout + r.stderr);
    const tags = [v1, `sha-${v1.slice(0, 7)}`, 'main'];
    const listed = JSON.parse(skopeo('list-tags', '--tls-verify=false', '--creds', `${basic.username}:${basic.password}`, `docker://${repo}`)) as { Tags: string[] };
    assert.equal(listed.Tags.sort(), [...tags].sort());
    const inspect = JSON.parse(skopeo('inspect', '--tls-verify=false', '--creds', `${basic.username}:${basic.password}`, `docker://${repo}:main`)) as { Digest: string; Labels: Record<string, string> };
    assert.is(r.outputs.digest, inspect.Digest);
    assert.is(r.outputs.image, `${repo}@${inspect.Digest}`);
    assert.equal(r.outputs.tags.split('\n'), tags.map((t) => `${repo}:${t}`));
    assert.equal([r.outputs.deployed, r.outputs['rolled-back'], r.outputs['deploy-result']], ['false', 'false', '']);
    const meta = JSON.parse(r.outputs.metadata) as { images: { name: string; digest: string; pushed: boolean; size: number; newBytes: number; reusedBytes: number }[]; commit: { sha: string; branch: string; source: string }; run: string };
    assert.equal([meta.images.length, meta.images[0].name, meta.images[0].digest, meta.images[0].pushed], [1, 'web', inspect.Digest, true]);
    assert.ok(meta.images[0].size > 0 && meta.images[0].reusedBytes > 0, 'the base layer counts as reused');
    assert.equal(meta.commit, { sha: v1, branch: 'main', source: `https://github.com/${REPO_NAME}`, tags: [] } as never);
    assert.is(meta.run, `https://github.com/${REPO_NAME}/actions/runs/4242`);
    // Labels: git facts from the checkout, the inputs' own labels.
    assert.equal([inspect.Labels['org.opencontainers.image.revision'], inspect.Labels['org.opencontainers.image.source'], inspect.Labels.team, inspect.Labels.description], [v1, `https://github.com/${REPO_NAME}`, 'web', 'shop, front']);
    // The summary: a table of the image with its digest and tags.
    assert.match(r.summary, /<h3>✅ pipeline: 1 image\(s\) built and pushed<\/h3>/);
    assert.match(r.summary, new RegExp(`<td>web</td><td><code>${inspect.Digest.slice(7, 19)}</code></td><td><code>${repo}:${v1}</code><br>`));
    assert.match(r.summary, new RegExp(`Commit <code>${v1.slice(0, 12)}</code> on <code>main</code> · by mona`));
    // Log groups per stage; lint findings as warnings at their lines.
    assert.ok(r.stdout.includes('::group::lint') && r.stdout.includes('::group::build web'));
    const pl009 = annotations(r, 'warning').find((c) => c.properties.title === 'pipeline lint PL009');
    assert.equal([pl009?.properties.file, pl009?.properties.line, pl009?.properties.col], ['Dockerfile', '1', '1'], r.stdout);
    assert.match(pl009!.message, /^PL009 no USER in the final stage.*\nfix: add USER/);
    assertNoSecret(r, secrets(basic.username, basic.password));
  });

  test('pull_request event in a shallow detached merge checkout: the branch is the head ref (never refs/pull/N/merge); tags input with full references', async () => {
    commit('feature', { 'www/index.html': 'feature\n' });
    const featureSha = git(origin, 'rev-parse', 'HEAD');
    git(origin, 'branch', '-f', 'feature/login', featureSha);
    git(origin, 'reset', '-q', '--hard', v1);
    git(origin, 'checkout', '-q', '--detach', v1);
    git(origin, 'merge', '-q', '--no-ff', '-m', 'Merge feature/login into main', 'feature/login');
    const merge = git(origin, 'rev-parse', 'HEAD');
    git(origin, 'update-ref', 'refs/pull/7/merge', merge);
    git(origin, 'checkout', '-q', 'main');
    const e: GithubEvent = { name: 'pull_request', sha: merge, repository: REPO_NAME, pr: { number: 7, head: 'feature/login', headSha: featureSha, base: 'main' }, actor: 'hubot' };
    const ws = checkout(e);
    const repo = `${token.host}/${NS}/web`;
    const creds = `${token.username}:${token.password}`;
    let r = await runAction({ workspace: ws, event: e, inputs: { image: repo, username: token.username, password: token.password } });
    assert.is(r.code, 0, r.stdout + r.stderr);
    const expected = [merge, `sha-${merge.slice(0, 7)}`, 'feature-login'];
    assert.equal((JSON.parse(skopeo('list-tags', '--tls-verify=false', '--creds', creds, `docker://${repo}`)) as { Tags: string[] }).Tags.sort(), [...expected].sort());
    assert.not.match(r.stdout + r.outputs.tags + r.outputs.metadata, /7-merge|pull\/7/);
    assertNoSecret(r, secrets(token.username, token.password));
    // tags: bare ones belong to `image`, full references go where they say (another repository here).
    r = await runAction({ workspace: ws, event: e, inputs: { image: repo, tags: `pr-7\n${repo}-mirror:pr-7, ${repo}-mirror:latest`, username: token.username, password: token.password } });
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.ok((JSON.parse(skopeo('list-tags', '--tls-verify=false', '--creds', creds, `docker://${repo}`)) as { Tags: string[] }).Tags.includes('pr-7'));
    assert.equal((JSON.parse(skopeo('list-tags', '--tls-verify=false', '--creds', creds, `docker://${repo}-mirror`)) as { Tags: string[] }).Tags.sort(), ['latest', 'pr-7']);
    // One image, three names: `tags` lists them all, `image` names it in the `image` repository.
    assert.equal(r.outputs.tags.split('\n'), [`${repo}:pr-7`, `${repo}-mirror:pr-7`, `${repo}-mirror:latest`]);
    assert.is(r.outputs.image, `${repo}@${r.outputs.digest}`);
  });

  test('a Dockerfile error: ::error at file, line and column, exit 2, nothing pushed, outputs still set', async () => {
    const ws = checkout(push(v1));
    const repo = `${basic.host}/${NS}/broken`;
    const r = await runAction({ workspace: ws, event: push(v1), inputs: { image: repo, file: 'broken.Dockerfile', username: basic.username, password: basic.password } });
    assert.is(r.code, 2, r.stdout + r.stderr);
    const errors = annotations(r, 'error');
    assert.is(errors.length, 1, r.stdout);
    assert.equal(errors[0].properties, { title: 'pipeline: dockerfile error', file: 'broken.Dockerfile', line: '3', col: '1' });
    assert.is(errors[0].message, 'unknown instruction "COPYY"\nhint: did you mean COPY?');
    // docker's own builder refuses the same line.
    const docker = (() => {
      try {
        execFileSync('docker', ['build', '-q', '-f', join(ws, 'broken.Dockerfile'), ws], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOCKER_BUILDKIT: '0' } });
        return 'built';
      } catch (e) {
        return String((e as { stderr?: string }).stderr);
      }
    })();
    assert.match(docker, /unknown instruction: COPYY/i);
    const listed = (() => {
      try {
        return skopeo('list-tags', '--tls-verify=false', '--creds', `${basic.username}:${basic.password}`, `docker://${repo}`);
      } catch (e) {
        return String((e as { stderr?: string }).stderr);
      }
    })();
    assert.match(listed, /404|not found|NAME_UNKNOWN/i, 'nothing pushed');
    assert.equal([r.outputs.digest, r.outputs.image, r.outputs.deployed], ['', '', 'false']);
    assert.match(r.summary, /❌ pipeline failed: broken\.Dockerfile:3:1: unknown instruction &quot;COPYY&quot;|❌ pipeline failed: broken\.Dockerfile:3:1: unknown instruction "COPYY"/);
    assertNoSecret(r, secrets(basic.username, basic.password));
  });

  test('bad inputs and a bad pipeline.yml: exit 2 with the input named, or ::error at pipeline.yml:line:col', async () => {
    const ws = checkout(push(v1));
    let r = await runAction({ workspace: ws, event: push(v1), inputs: { push: 'perhaps', image: `${basic.host}/${NS}/x` } });
    assert.is(r.code, 2);
    assert.equal(annotations(r, 'error'), [{ command: 'error', properties: { title: 'pipeline: usage error' }, message: "Expected input 'push' to be true or false, got 'perhaps'" }]);
    r = await runAction({ workspace: ws, event: push(v1), inputs: { 'working-directory': 'svc', config: 'bad.yml' } });
    assert.is(r.code, 2);
    const bad = annotations(r, 'error');
    assert.equal([bad.length, bad[0]?.properties.file, bad[0]?.properties.line, bad[0]?.properties.col], [1, 'svc/bad.yml', '3', '34']);
    assert.match(bad[0].message, /^unknown key 'exectuor' in images\.web \(did you mean 'executor'\?\)/);
    r = await runAction({ workspace: ws, event: push(v1), inputs: { image: `${basic.host}/${NS}/x`, summary: 'false', password: 'only-a-password-1' } });
    assert.is(r.code, 2);
    assert.is(r.summary, '', 'summary: false writes none');
    assertNoSecret(r, ['only-a-password-1']);
  });

  test('pipeline.yml in a working-directory: tests, push, deploy; then a version without /health rolls back (exit 1) with the account in the summary', async () => {
    let ws = checkout(push(v1));
    let r = await runAction({ workspace: ws, event: push(v1), inputs: { 'working-directory': 'svc', deploy: 'staging' } });
    assert.is(r.code, 0, r.stdout + r.stderr);
    const repo = `${s.registries.anon.host}/${NS}/web`;
    const first = JSON.parse(r.outputs['deploy-result']) as { result: string; to: string; actor: string; instances: unknown[] };
    assert.equal([r.outputs.deployed, r.outputs['rolled-back'], first.result, first.actor, first.instances.length], ['true', 'false', 'deployed', 'mona', 2]);
    assert.is(first.to, r.outputs.digest);
    assert.is(r.outputs.image, `${repo}@${r.outputs.digest}`);
    assert.ok(r.stdout.includes('::group::web: never built') && r.stdout.includes('::group::deploy staging'), r.stdout);
    assert.match(r.summary, /<h4>Tests<\/h4>\s*<table>.*<td>web<\/td><td>file \/www\/index\.html exists<\/td><td>✅ passed<\/td>/s);
    assert.match(r.summary, /<h4>Deploy to staging<\/h4>.*<td>1 \/ 2<\/td>.*<td>deployed<\/td>/s);
    const replicas = execFileSync('docker', ['ps', '-q', '--filter', `label=dev.pipeline.app=${APP}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    assert.is(replicas.length, 2, 'two replicas run');
    // The deploy history names the actor and links the run.
    const h = await runCli(['history', 'staging', '--json'], {}, join(ws, 'svc'));
    const last = (JSON.parse(h.stdout) as { entries: { actor: string; message?: string }[] }).entries[0];
    assert.equal([last?.actor, last?.message], ['mona', `github run https://github.com/${REPO_NAME}/actions/runs/4242`], h.stdout);

    const v2 = commit('v2 without health', svc('2.0.0', false));
    ws = checkout(push(v2));
    r = await runAction({ workspace: ws, event: push(v2), inputs: { 'working-directory': 'svc', deploy: 'staging' }, timeoutMs: 240_000 });
    assert.is(r.code, 1, r.stdout + r.stderr);
    const second = JSON.parse(r.outputs['deploy-result']) as { result: string; from: string; failure: { host: string; probe: string; logs: string }; rollback: { ok: boolean; to: string } };
    assert.equal([r.outputs.deployed, r.outputs['rolled-back'], second.result, second.rollback.ok, second.rollback.to], ['false', 'true', 'rolled-back', true, first.to]);
    assert.match(second.failure.probe, /http/);
    assert.match(r.summary, /deploy to staging rolled back/);
    assert.match(r.summary, /<b>Failing host<\/b> <code>unix:\/\/\/var\/run\/docker\.sock<\/code>/);
    assert.match(r.summary, /<details><summary>Last log lines<\/summary><pre><code>/);
    const rolled = annotations(r, 'error');
    assert.equal([rolled.length, rolled[0]?.properties.title], [1, 'pipeline: deploy to staging rolled back'], r.stdout);
    assert.match(rolled[0].message, /failed in batch 1\/\d+\n  host: unix:\/\/\/var\/run\/docker\.sock/);
    const running = execFileSync('docker', ['ps', '--filter', `label=dev.pipeline.app=${APP}`, '--format', '{{.Image}}'], { encoding: 'utf8' }).trim().split('\n');
    assert.is(running.length, 2);
    // Both tags of the failed version were pushed before the deploy (it passed its tests): only the deploy rolled back.
    assert.ok((JSON.parse(skopeo('list-tags', '--tls-verify=false', `docker://${repo}`)) as { Tags: string[] }).Tags.includes(v2));
  });
}

test.run();
