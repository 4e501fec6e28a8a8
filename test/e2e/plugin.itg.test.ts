// The CI plugin image, end to end: built by `pipeline build` from plugin/Dockerfile (on the base the test
// services make from the host: Node, git, CA certificates), then run as the CI hosts run it — `docker run
// --network host --user 1000`, no Docker socket, no privileges — with a Drone-, a Woodpecker- and a
// GitLab-style environment in a git workspace mounted in. What it pushed is read back with skopeo.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needs, services } from '../lib/services.js';
import { runCli } from '../lib/cli.js';
import { tempDir } from '../lib/tmp.js';
import { cleanEngine } from '../../packages/deploy/test/helpers/images.js';
import { freeRange } from '../../packages/deploy/test/helpers/ports.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ok = needs(test, 'docker', 'registry', 'images');
const ID = `plugin-e2e-${process.pid}`;
const IMAGE = `${ID}/pipeline-plugin:test`;
const work = tempDir('pipeline-plugin-e2e-');
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@x', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@x' };
const git = (dir: string, ...a: string[]) => execFileSync('git', a, { cwd: dir, encoding: 'utf8', env: gitEnv }).trim();
const SECRETS = ['pipeline-secret', Buffer.from('pipeline:pipeline-secret').toString('base64')];

const skopeo = (creds: string | undefined, ...a: string[]) => execFileSync('skopeo', [...a.slice(0, 1), '--tls-verify=false', ...(creds ? ['--creds', creds] : []), ...a.slice(1)], { encoding: 'utf8' });
const tagsOf = (repo: string, creds?: string) => (JSON.parse(skopeo(creds, 'list-tags', `docker://${repo}`)) as { Tags: string[] }).Tags.sort();
const inspect = (ref: string, creds?: string) => JSON.parse(skopeo(creds, 'inspect', `docker://${ref}`)) as { Digest: string; Labels: Record<string, string> };
const pushed: { repo: string; creds?: string }[] = [];
const localImages: string[] = [];

/** A checkout as a CI runner leaves it: owned by the runner (root here), the step's user may write the top directory only. */
function workspace(name: string, files: Record<string, string>): { dir: string; sha: string } {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'init');
  chmodSync(dir, 0o777);
  return { dir, sha: git(dir, 'rev-parse', 'HEAD') };
}

const app = (from: string) => ({
  Dockerfile: `FROM ${from}\nARG GREETING=none\nLABEL greeting=$GREETING\nCOPY hello.txt /hello.txt\nCMD ["cat", "/hello.txt"]\n`,
  'hello.txt': 'hello from the plugin\n',
});

interface Run {
  code: number;
  out: string;
  stdout: string;
}

/** The plugin step: no socket, uid 1000, host network, the workspace as the working directory. */
function plugin(dir: string, env: Record<string, string>, opts: { mounts?: string[]; command?: string[]; extra?: string[] } = {}): Run {
  const args = ['run', '--rm', '--network', 'host', '--user', '1000', ...(opts.extra ?? []), '-v', `${dir}:/workspace`, '-w', '/workspace'];
  for (const m of opts.mounts ?? []) args.push('-v', m);
  for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
  const r = spawnSync('docker', [...args, IMAGE, ...(opts.command ?? [])], { encoding: 'utf8', timeout: 300_000 });
  const out = `${r.stdout}${r.stderr}`;
  for (const s of SECRETS) assert.not.ok(out.includes(s), `a credential appeared in the step's output:\n${out}`);
  return { code: r.status ?? -1, out, stdout: r.stdout };
}

if (ok) {
  const { anon, basic, token } = services().registries;
  const CREDS = `${basic.username}:${basic.password}`;

  test('pipeline builds its own plugin image from a clean clone: no RUN, no daemon, SHA-tagged, deterministic', async () => {
    const bundle = join(root, 'packages/cli/dist/standalone/pipeline.mjs');
    assert.ok(existsSync(bundle), 'the standalone bundle is made by scripts/bundle.mjs (npm ci / npm test)');
    // As a release job sees the repository: a clone of HEAD, with the bundle `npm ci` makes (dist/ is ignored).
    const clone = (dir: string) => {
      execFileSync('git', ['clone', '-q', '--no-hardlinks', root, dir]);
      mkdirSync(join(dir, 'packages/cli/dist/standalone'), { recursive: true });
      copyFileSync(bundle, join(dir, 'packages/cli/dist/standalone/pipeline.mjs'));
      return git(dir, 'rev-parse', 'HEAD');
    };
    const a = join(work, 'release-a');
    const sha = clone(a);
    const repo = `${anon.host}/${ID}/pipeline-plugin`;
    const r = await runCli(['build', '.', '-f', 'plugin/Dockerfile', '--build-arg', `BASE=${services().images.nodeCi}`, '--push', '--image', repo, '--cache-dir', join(work, 'cache-a'), '--json'], {}, a);
    assert.is(r.code, 0, r.stderr);
    pushed.push({ repo });
    assert.not.match(r.stderr, /RUN/, 'the runtime stage (apk add) is not built when BASE has git and CA certificates');
    const digest = (JSON.parse(r.stdout) as { digest: string }).digest;
    const tags = tagsOf(repo);
    assert.ok(tags.includes(sha) && tags.includes(`sha-${sha.slice(0, 7)}`), `tagged with the commit: ${tags.join(', ')}`);
    // Another clone, another path, a cold cache, not pushed (same --image: it names the title label): the same digest.
    const b = join(work, 'release-b');
    clone(b);
    const again = await runCli(['build', '.', '-f', 'plugin/Dockerfile', '--build-arg', `BASE=${services().images.nodeCi}`, '--image', repo, '-o', `oci:${join(work, 'plugin-b.oci')}`, '--cache-dir', join(work, 'cache-b'), '--json'], {}, b);
    assert.is(again.code, 0, again.stderr);
    assert.is((JSON.parse(again.stdout) as { digest: string }).digest, digest, 'deterministic');
    execFileSync('docker', ['pull', '-q', `${repo}@${digest}`]);
    execFileSync('docker', ['tag', `${repo}@${digest}`, IMAGE]);
    localImages.push(`${repo}@${digest}`);
    const cfg = JSON.parse(execFileSync('docker', ['image', 'inspect', IMAGE, '--format', '{{json .Config}}'], { encoding: 'utf8' })) as { User: string; Entrypoint: string[]; Labels: Record<string, string> };
    assert.equal([cfg.User, cfg.Entrypoint, cfg.Labels['org.opencontainers.image.revision']], ['1000:1000', ['/usr/local/bin/pipeline-plugin'], sha]);
    const tools = execFileSync('docker', ['run', '--rm', '--network', 'host', '--user', '1000', IMAGE, 'sh', '-c', 'id -u; git --version; test -s /etc/ssl/certs/ca-certificates.crt && echo ca; pipeline --version'], { encoding: 'utf8' });
    assert.equal(tools.trim().split('\n'), ['1000', execFileSync('git', ['--version'], { encoding: 'utf8' }).trim(), 'ca', 'pipeline 0.1.0']);
  });

  test('Drone: PLUGIN_* settings, a .tags file, auto_tag on the default branch, the card, the digest file', () => {
    const repo = `${basic.host}/${ID}/drone`;
    const ws = workspace('drone', app(services().images.busybox));
    writeFileSync(join(ws.dir, '.tags'), '1.0.0, stable\n');
    const cards = tempDir('plugin-card-');
    chmodSync(cards, 0o777);
    const r = plugin(ws.dir, {
      CI: 'true',
      DRONE: 'true',
      DRONE_COMMIT_SHA: ws.sha,
      DRONE_COMMIT_REF: 'refs/heads/main',
      DRONE_COMMIT_BRANCH: 'main',
      DRONE_REPO_BRANCH: 'main',
      DRONE_CARD_PATH: '/cards/card.json',
      PLUGIN_REPO: repo,
      PLUGIN_REGISTRY: basic.host,
      PLUGIN_USERNAME: basic.username,
      PLUGIN_PASSWORD: basic.password,
      PLUGIN_AUTO_TAG: 'true',
      PLUGIN_PURGE: 'true',
    }, { mounts: [`${cards}:/cards`] });
    assert.is(r.code, 0, r.out);
    pushed.push({ repo, creds: CREDS });
    assert.equal(tagsOf(repo, CREDS), ['1.0.0', 'latest', 'stable'], '.tags replaces the git tags; auto_tag adds latest on the default branch');
    const digest = inspect(`${repo}:1.0.0`, CREDS).Digest;
    assert.is(readFileSync(join(ws.dir, '.pipeline/digest'), 'utf8'), `${digest}\n`);
    assert.match(r.stdout, `digest ${digest}`);
    assert.match(r.stdout, `pushed ${repo}:stable`);
    assert.match(r.out, 'setting purge (PLUGIN_PURGE) is ignored');
    const card = JSON.parse(readFileSync(join(cards, 'card.json'), 'utf8')) as { schema: string; data: { digest: string; image: string; tags: { tag: string }[]; commit: string } };
    assert.match(card.schema, /drone-card\.json$/);
    assert.equal([card.data.digest, card.data.image, card.data.commit], [digest, `${repo}@${digest}`, ws.sha]);
    assert.equal(card.data.tags.map((t) => t.tag).sort(), [`${repo}:1.0.0`, `${repo}:latest`, `${repo}:stable`]);
  });

  test("Drone's runner default DRONE_CARD_PATH=/dev/stdout: the card is in the log as ESC]1338;<base64>ESC]0m", () => {
    const repo = `${anon.host}/${ID}/drone-stdout`;
    const ws = workspace('drone-stdout', app(services().images.busybox));
    const r = plugin(ws.dir, { CI: 'true', DRONE: 'true', DRONE_COMMIT_SHA: ws.sha, DRONE_COMMIT_BRANCH: 'feature', DRONE_REPO_BRANCH: 'main', DRONE_CARD_PATH: '/dev/stdout', PLUGIN_REPO: repo, PLUGIN_AUTO_TAG: 'true' });
    assert.is(r.code, 0, r.out);
    pushed.push({ repo });
    const m = /\u001B\]1338;([A-Za-z0-9+/=]+)\u001B\]0m/.exec(r.stdout);
    assert.ok(m, `no card in stdout:\n${r.stdout}`);
    const card = JSON.parse(Buffer.from(m![1], 'base64').toString('utf8')) as { data: { digest: string } };
    assert.is(card.data.digest, inspect(`${repo}:${ws.sha}`).Digest);
    // Not the default branch: auto_tag adds nothing (drone-docker would skip the build); the git tags go.
    assert.equal(tagsOf(repo), [ws.sha, 'feature', `sha-${ws.sha.slice(0, 7)}`].sort());
  });

  test('Woodpecker: build_args as a JSON map, tags as a comma list, repo under registry, auto_tag on a tag push', () => {
    const ws = workspace('woodpecker', app(services().images.busybox));
    const repoPath = `${ID}/woodpecker`;
    const repo = `${anon.host}/${repoPath}`;
    const r = plugin(ws.dir, {
      CI: 'woodpecker',
      CI_COMMIT_SHA: ws.sha,
      CI_COMMIT_REF: 'refs/tags/v1.2.3',
      CI_COMMIT_TAG: 'v1.2.3',
      CI_PIPELINE_EVENT: 'tag',
      CI_REPO_DEFAULT_BRANCH: 'main',
      PLUGIN_REGISTRY: anon.host,
      PLUGIN_REPO: repoPath,
      PLUGIN_TAGS: 'wp-1,wp-2',
      PLUGIN_AUTO_TAG: 'true',
      PLUGIN_BUILD_ARGS: JSON.stringify({ GREETING: 'hello, woodpecker' }),
    });
    assert.is(r.code, 0, r.out);
    pushed.push({ repo });
    assert.equal(tagsOf(repo), ['1', '1.2', '1.2.3', 'wp-1', 'wp-2']);
    const img = inspect(`${repo}:1.2.3`);
    assert.is(img.Labels.greeting, 'hello, woodpecker');
    assert.is(img.Labels['org.opencontainers.image.revision'], ws.sha);
  });

  test('GitLab: the job runs sh with its script; CI_REGISTRY_IMAGE and the job-token login on the token registry; dotenv for later jobs', () => {
    const project = `${ID}/gitlab`;
    const ws = workspace('gitlab', app(services().images.busybox));
    // GitLab's runner starts the image with the job's script as the command, run by sh.
    const r = plugin(ws.dir, {
      CI: 'true',
      GITLAB_CI: 'true',
      CI_COMMIT_SHA: ws.sha,
      CI_COMMIT_SHORT_SHA: ws.sha.slice(0, 8),
      CI_COMMIT_REF_NAME: 'main',
      CI_COMMIT_BRANCH: 'main',
      CI_DEFAULT_BRANCH: 'main',
      CI_REGISTRY: token.host,
      CI_REGISTRY_IMAGE: `${token.host}/${project}`,
      CI_REGISTRY_USER: token.username,
      CI_JOB_TOKEN: token.password,
    }, { command: ['sh', '-c', 'pipeline plugin && cat .pipeline/digest.env'] });
    assert.is(r.code, 0, r.out);
    const repo = `${token.host}/${project}`;
    pushed.push({ repo, creds: `${token.username}:${token.password}` });
    assert.equal(tagsOf(repo, `${token.username}:${token.password}`), [ws.sha, 'main', `sha-${ws.sha.slice(0, 7)}`].sort(), 'sha- tags keep 7 characters (GitLab\'s short SHA has 8)');
    const digest = inspect(`${repo}:main`, `${token.username}:${token.password}`).Digest;
    assert.match(r.stdout, `PIPELINE_DIGEST=${digest}\nPIPELINE_IMAGE_REF=${repo}@${digest}\n`);
  });

  test('pipeline.yml: the images are built bases first, structure-tested and pushed; results name the app image', () => {
    const ns = `${ID}-pipe`;
    const files = {
      'pipeline.yml': `version: 1\nregistry: { url: "${anon.host}", namespace: ${ns} }\nimages:\n  base: { dockerfile: base/Dockerfile, from: "${services().images.busybox}", version: "1.0", tags: ["{version}"] }\n  app: { dockerfile: app/Dockerfile, from: base, tags: ["{sha}", "sha-{short}"] }\ntest:\n  app: { structure: [ { file: /app/hello.txt }, { file: /base.txt } ] }\n`,
      'hello.txt': 'hello\n',
    };
    const ws = workspace('pipeline', files);
    mkdirSync(join(ws.dir, 'base'));
    mkdirSync(join(ws.dir, 'app'));
    writeFileSync(join(ws.dir, 'base/Dockerfile'), `FROM ${services().images.busybox}\nCOPY base.txt /base.txt\n`);
    writeFileSync(join(ws.dir, 'base/base.txt'), 'base\n');
    writeFileSync(join(ws.dir, 'app/Dockerfile'), 'FROM base\nCOPY hello.txt /app/hello.txt\n');
    writeFileSync(join(ws.dir, 'app/hello.txt'), 'hello\n');
    git(ws.dir, 'add', '.');
    git(ws.dir, 'commit', '-qm', 'images');
    const sha = git(ws.dir, 'rev-parse', 'HEAD');
    const r = plugin(ws.dir, { CI: 'woodpecker', CI_COMMIT_SHA: sha, CI_COMMIT_BRANCH: 'main' });
    assert.is(r.code, 0, r.out);
    for (const name of ['base', 'app']) pushed.push({ repo: `${anon.host}/${ns}/${name}` });
    const base = tagsOf(`${anon.host}/${ns}/base`);
    assert.equal(base.filter((t) => !/^1\.0-[0-9a-f]{12}$/.test(t)), ['1.0'], 'the version tag, beside the unique tag of this build (docs/tags.md)');
    assert.is(base.length, 2);
    const app0 = tagsOf(`${anon.host}/${ns}/app`);
    assert.equal(app0.filter((t) => !t.endsWith('.tests')), [sha, `sha-${sha.slice(0, 7)}`].sort());
    assert.is(app0.filter((t) => t.endsWith('.tests')).length, 1, 'the record of its passed tests, beside it');
    const app = inspect(`${anon.host}/${ns}/app:${sha}`).Digest;
    assert.ok(app0.includes(`${app.replace(':', '-')}.tests`));
    assert.is(readFileSync(join(ws.dir, '.pipeline/digest'), 'utf8'), `${app}\n`, 'the last image of the pipeline (the app)');
    const record = JSON.parse(readFileSync(join(ws.dir, '.pipeline/record.json'), 'utf8')) as { images: Record<string, { source: string }> };
    assert.is(record.images.app.source, `${anon.host}/${ns}/app@${app}`, 'the record a later pipeline deploy reads');
    assert.match(r.stdout, `app: pushed ${anon.host}/${ns}/app:${sha}`);
  });

  test('a test that runs a container, with no socket in the step: exit 2 saying so, nothing pushed; a missing config: exit 2', () => {
    const ns = `${ID}-nosock`;
    const ws = workspace('nosock', {
      'pipeline.yml': `version: 1\nregistry: { url: "${anon.host}", namespace: ${ns} }\nimages:\n  app: { dockerfile: Dockerfile, from: "${services().images.busybox}", tags: ["{sha}"] }\ntest:\n  app: { commands: [ { run: "cat /hello.txt", expect-output: hello } ] }\n`,
      ...app(services().images.busybox),
    });
    const r = plugin(ws.dir, { CI: 'woodpecker', CI_COMMIT_SHA: ws.sha });
    assert.is(r.code, 2, r.out);
    assert.match(r.out, /the image test "run cat \/hello.txt" runs a container, and no Docker engine answers at unix:\/\/\/var\/run\/docker.sock/);
    assert.match(r.out, 'hint: structure checks need no engine');
    assert.not.match(r.out, 'internal error');
    assert.is.not(spawnSync('skopeo', ['list-tags', '--tls-verify=false', `docker://${anon.host}/${ns}/app`]).status, 0, 'nothing pushed');
    const missing = plugin(ws.dir, { CI: 'woodpecker', CI_COMMIT_SHA: ws.sha, PLUGIN_CONFIG: 'ci/pipeline.yml' });
    assert.is(missing.code, 2, missing.out);
    assert.match(missing.out, 'Expected PLUGIN_CONFIG to name pipeline.yml, got "ci/pipeline.yml": no such file in the workspace');
  });

  test('bad settings: a misspelt PLUGIN_* or JSON that does not parse is exit 2 naming the setting; nothing is pushed', () => {
    const repo = `${basic.host}/${ID}/bad`;
    const ws = workspace('bad', app(services().images.busybox));
    const base = { CI: 'true', DRONE: 'true', DRONE_COMMIT_SHA: ws.sha, PLUGIN_REPO: repo, PLUGIN_USERNAME: basic.username, PLUGIN_PASSWORD: basic.password };
    const typo = plugin(ws.dir, { ...base, PLUGIN_DOCKERFIL: 'Dockerfile' });
    assert.is(typo.code, 2, typo.out);
    assert.match(typo.out, 'unknown setting dockerfil (PLUGIN_DOCKERFIL): did you mean dockerfile (PLUGIN_DOCKERFILE)?');
    const json = plugin(ws.dir, { ...base, PLUGIN_BUILD_ARGS: '{"TOKEN": "tok-3f9a77", "B": }' });
    assert.is(json.code, 2, json.out);
    assert.match(json.out, 'Expected PLUGIN_BUILD_ARGS to be valid JSON');
    assert.not.match(json.out, 'tok-3f9a77');
    assert.not.match(json.out, /at .*\.mjs:\d+/, 'no stack trace');
    const listed = spawnSync('skopeo', ['list-tags', '--tls-verify=false', '--creds', CREDS, `docker://${repo}`], { encoding: 'utf8' });
    assert.is.not(listed.status, 0, 'the repository was never created');
    assert.not.ok(existsSync(join(ws.dir, '.pipeline/digest')));
  });

  test('deploy: after the push the step rolls the pushed digest out to the environment of pipeline.yml (the socket mounted for it)', async () => {
    const app = `${ID}-app`;
    const repo = `${anon.host}/${ID}/deployed`;
    const ports = await freeRange(8);
    const ws = workspace('deploy', {
      Dockerfile: `FROM ${services().images.busybox}\nCOPY health /www/health\nCMD ["/bin/sh", "-c", "exec httpd -f -p \${PORT:-80} -h /www"]\n`,
      health: 'ok\n',
      'pipeline.yml': `version: 1\nenvironments:\n  local:\n    app: ${app}\n    image: ${repo}\n    hosts: [unix:///var/run/docker.sock]\n    network: host\n    hostPorts: ${ports}\n    probe: { http: { path: /health }, interval: 1s, timeout: 1s, retries: 3 }\n    prune: { auto: false }\n`,
    });
    const gid = String(statSync('/var/run/docker.sock').gid);
    try {
      const r = plugin(ws.dir, { CI: 'true', DRONE: 'true', DRONE_COMMIT_SHA: ws.sha, DRONE_COMMIT_BRANCH: 'main', DRONE_COMMIT_AUTHOR: 'drone-user', PLUGIN_REPO: repo, PLUGIN_DEPLOY: 'local' }, { mounts: ['/var/run/docker.sock:/var/run/docker.sock'], extra: ['--group-add', gid] });
      assert.is(r.code, 0, r.out);
      pushed.push({ repo });
      const digest = inspect(`${repo}:${ws.sha}`).Digest;
      assert.match(r.stdout, new RegExp(`deploy local: deployed, \\(nothing\\) → ${digest.slice(7, 19)}, 1 instance`));
      const running = execFileSync('docker', ['ps', '--filter', `label=dev.pipeline.app=${app}`, '--filter', 'label=dev.pipeline.role=app', '--format', '{{.Label "dev.pipeline.digest"}} {{.Label "dev.pipeline.sha"}}'], { encoding: 'utf8' }).trim();
      assert.is(running, `${digest} ${ws.sha}`);
    } finally {
      await cleanEngine(app, repo);
    }
  });

  test.after(() => {
    // Every manifest this file pushed (a digest once: deleting it drops all its tags).
    for (const { repo, creds } of pushed) {
      try {
        const digests = new Set(tagsOf(repo, creds).map((t) => inspect(`${repo}:${t}`, creds).Digest));
        for (const d of digests) spawnSync('skopeo', ['delete', '--tls-verify=false', ...(creds ? ['--creds', creds] : []), `docker://${repo}@${d}`], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    }
    spawnSync('docker', ['rmi', '-f', IMAGE, ...localImages], { stdio: 'ignore' });
  });
}

test.run();
