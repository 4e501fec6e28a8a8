// `pipeline doctor` through the real binary against the real registries (:5000 anonymous, :5001 htpasswd,
// :5002 Bearer tokens), the real engine and git: a working setup, where credentials come from (env,
// config.json, a credential helper, GitLab's job token), and a broken setup piece by piece.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { needs, services } from '../../../test/lib/services.js';
import { runCli } from '../../../test/lib/cli.js';
import { startFaultyProxy } from '../../../test/lib/faulty-proxy.js';
import { tempDir } from '../../../test/lib/tmp.js';

interface Check {
  area: string;
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string;
  source?: string;
}

const ok = needs(test, 'docker', 'registry', 'images');
const NS = `doctor-${process.pid}`;
const work = tempDir('pipeline-doctor-');
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const git = (dir: string, ...a: string[]) => execFileSync('git', a, { cwd: dir, encoding: 'utf8', env: gitEnv }).trim();
// Nothing of this machine's own settings or Docker logins may leak into these runs.
const noDockerConfig = tempDir('doctor-dockercfg-');
const clean: Record<string, string> = { ...Object.fromEntries(Object.keys(process.env).filter((k) => /^(PIPELINE_|PLUGIN_|GITHUB_|GITLAB_|CI_|DRONE|DOCKER_)/.test(k) || k === 'CI' || k === 'NODE_EXTRA_CA_CERTS').map((k) => [k, ''])), DOCKER_CONFIG: noDockerConfig };

async function doctor(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; checks: Check[]; stderr: string }> {
  const r = await runCli(['doctor', '--json', ...args], { ...clean, ...env }, cwd);
  let checks: Check[] = [];
  try {
    checks = (JSON.parse(r.stdout) as { checks: Check[] }).checks;
  } catch {
    assert.unreachable(`doctor printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, checks, stderr: r.stderr };
}
const find = (checks: Check[], area: string, name?: string) => checks.find((c) => c.area === area && (name === undefined || c.name === name || c.name.includes(name)));
const freePort = () => new Promise<number>((res) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => res(port));
  });
});

function checkout(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'init');
  return dir;
}

if (ok) {
  const { anon, basic, token } = services().registries;
  const base = services().images.busybox;
  const basicEnv = { PIPELINE_REGISTRY_USERNAME: basic.username, PIPELINE_REGISTRY_PASSWORD: basic.password };
  const pipelineYml = (registry: string, hosts: string[], extra = '') => `version: 1
registry: { url: "${registry}", namespace: ${NS} }
images:
  app: { dockerfile: Dockerfile, from: "${base}", tags: ["{sha}"] }
test:
  app: { commands: [ { run: "true" } ] }
environments:
  staging: { app: ${NS}-app, image: ${registry}/${NS}/app, hosts: [${hosts.map((h) => JSON.stringify(h)).join(', ')}] }
${extra}`;
  const single = () => checkout(`single-${Math.random().toString(36).slice(2, 8)}`, { Dockerfile: `FROM ${base}\nCOPY f /f\n`, f: 'f\n' });

  test('a working setup: every check passes and says where the login came from; exit 0', async () => {
    const dir = checkout('good', { 'pipeline.yml': pipelineYml(basic.host, ['unix:///var/run/docker.sock']), Dockerfile: `FROM ${base}\nCOPY f /f\n`, f: 'f\n' });
    const r = await doctor([], basicEnv, dir);
    assert.is(r.code, 0, JSON.stringify(r.checks, null, 2));
    assert.equal(r.checks.filter((c) => c.status === 'fail' || c.status === 'warn'), []);
    assert.match(find(r.checks, 'git')!.detail, /^checkout at [0-9a-f]{7} on main, clean/);
    assert.match(find(r.checks, 'config')!.detail, 'images app; environments staging');
    const push = find(r.checks, 'registry', basic.host)!;
    assert.equal([push.status, push.source], ['ok', 'env:PIPELINE_REGISTRY_USERNAME + env:PIPELINE_REGISTRY_PASSWORD']);
    assert.match(push.detail, `push ${NS}/app`);
    assert.match(find(r.checks, 'registry', anon.host)!.detail, 'pull base/busybox');
    assert.is(find(r.checks, 'clock')!.status, 'ok');
    assert.match(find(r.checks, 'engine')!.detail, /^Docker .* answers \(needed: the tests of image app run containers\)/);
    assert.is(find(r.checks, 'host', 'unix:///var/run/docker.sock')!.status, 'ok');
  });

  test('where credentials come from: config.json, a credential helper, PLUGIN_* settings, GitLab\'s job token', async () => {
    const dir = single();
    const auth = (u: string, p: string) => Buffer.from(`${u}:${p}`).toString('base64');
    const cfgDir = tempDir('doctor-cfg-');
    writeFileSync(join(cfgDir, 'config.json'), JSON.stringify({ auths: { [basic.host]: { auth: auth(basic.username, basic.password) } }, credHelpers: { [token.host]: 'pipetest' } }));
    // A credential helper as Docker runs them: `docker-credential-<name> get`, the server URL on stdin.
    writeFileSync(join(cfgDir, 'docker-credential-pipetest'), `#!/bin/sh\nread url\nprintf '{"ServerURL":"%s","Username":"${token.username}","Secret":"${token.password}"}' "$url"\n`);
    chmodSync(join(cfgDir, 'docker-credential-pipetest'), 0o755);
    const env = { DOCKER_CONFIG: cfgDir, PATH: `${cfgDir}:${process.env.PATH}` };
    const fromConfig = await doctor(['--image', `${basic.host}/${NS}/a`], env, dir);
    assert.equal([find(fromConfig.checks, 'registry', basic.host)?.status, find(fromConfig.checks, 'registry', basic.host)?.source], ['ok', `config.json ${join(cfgDir, 'config.json')}`]);
    const fromHelper = await doctor(['--image', `${token.host}/${NS}/a`], env, dir);
    const h = find(fromHelper.checks, 'registry', token.host)!;
    assert.equal([h.status, h.source], ['ok', `helper docker-credential-pipetest (credHelpers in ${join(cfgDir, 'config.json')})`]);
    assert.match(h.detail, 'push allowed');
    const plugin = await doctor([], { PLUGIN_REPO: `${basic.host}/${NS}/a`, PLUGIN_USERNAME: basic.username, PLUGIN_PASSWORD: basic.password }, dir);
    assert.equal(find(plugin.checks, 'registry', basic.host)?.source, 'env:PLUGIN_USERNAME + env:PLUGIN_PASSWORD');
    const gitlab = await doctor([], { GITLAB_CI: 'true', CI_REGISTRY: token.host, CI_REGISTRY_IMAGE: `${token.host}/${NS}/project`, CI_REGISTRY_USER: token.username, CI_JOB_TOKEN: token.password }, dir);
    const g = find(gitlab.checks, 'registry', token.host)!;
    assert.equal([g.status, g.source], ['ok', 'ci:CI_REGISTRY_USER + ci:CI_JOB_TOKEN']);
    assert.match(g.detail, `push ${NS}/project`);
    for (const r of [fromConfig, fromHelper, plugin, gitlab]) assert.not.match(JSON.stringify(r.checks) + r.stderr, basic.password);
  });

  test('a broken setup: each problem fails with what to fix; exit 1', async () => {
    const dir = single();
    const port = await freePort();
    const wrong = await doctor(['--image', `${token.host}/${NS}/a`], { PIPELINE_REGISTRY_USERNAME: token.username, PIPELINE_REGISTRY_PASSWORD: 'not-the-password' }, dir);
    assert.is(wrong.code, 1);
    assert.match(find(wrong.checks, 'registry', token.host)!.detail, `the login ${token.username} from env:PIPELINE_REGISTRY_USERNAME + env:PIPELINE_REGISTRY_PASSWORD was refused`);
    const anonPush = await doctor(['--image', `${basic.host}/${NS}/a`], {}, dir);
    assert.match(find(anonPush.checks, 'registry', basic.host)!.detail, 'needs a login and none was found');
    // The token server grants pull only under readonly/: the login works, the push would not.
    const readOnly = await doctor(['--image', `${token.host}/readonly/${NS}`], { PIPELINE_REGISTRY_USERNAME: token.username, PIPELINE_REGISTRY_PASSWORD: token.password }, dir);
    assert.match(find(readOnly.checks, 'registry', token.host)!.detail, `may not push to readonly/${NS}`);
    const down = await doctor(['--image', `127.0.0.1:${port}/x/y`], {}, dir);
    assert.match(find(down.checks, 'registry', `127.0.0.1:${port}`)!.detail, /unreachable at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    const badCa = join(work, 'not-a-cert.pem');
    writeFileSync(badCa, 'hello\n');
    const tls = await doctor([], { NODE_EXTRA_CA_CERTS: badCa }, dir);
    assert.match(find(tls.checks, 'tls', badCa)!.detail, 'not a PEM certificate');
    const missingCa = await doctor([], { NODE_EXTRA_CA_CERTS: join(work, 'nope.pem') }, dir);
    assert.match(find(missingCa.checks, 'tls')!.detail, 'cannot read it (ENOENT)');
    for (const r of [wrong, anonPush, readOnly, down, tls, missingCa]) assert.is(r.code, 1);
    const notGit = tempDir('doctor-nogit-');
    writeFileSync(join(notGit, 'Dockerfile'), `FROM ${base}\n`);
    const ng = await doctor([], {}, notGit);
    assert.equal([ng.code, find(ng.checks, 'git')!.status], [1, 'fail']);
    assert.match(find(ng.checks, 'git')!.fix!, 'PIPELINE_SHA');
  });

  test('a broken pipeline.yml, a dead deploy host and a missing engine socket', async () => {
    const port = await freePort();
    const bad = checkout('bad-config', { 'pipeline.yml': 'version: 1\nimages:\n  app: { dockerfil: Dockerfile }\n', Dockerfile: `FROM ${base}\n` });
    const c = await doctor([], {}, bad);
    assert.is(c.code, 1);
    const cfg = find(c.checks, 'config')!;
    assert.equal(cfg.status, 'fail');
    assert.match(cfg.detail, /pipeline\.yml:3:\d+: unknown key 'dockerfil'.*did you mean 'dockerfile'/);
    const dead = checkout('dead-host', { 'pipeline.yml': pipelineYml(basic.host, [`tcp://127.0.0.1:${port}`]), Dockerfile: `FROM ${base}\nCOPY f /f\n`, f: 'f\n' });
    const d = await doctor([], { ...basicEnv, DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, dead);
    assert.is(d.code, 1);
    assert.equal(find(d.checks, 'host', `tcp://127.0.0.1:${port}`)!.status, 'fail');
    assert.match(find(d.checks, 'host')!.detail, 'cannot reach the Docker engine');
    const engine = find(d.checks, 'engine')!;
    assert.equal([engine.status, engine.name], ['fail', 'unix:///nonexistent/docker.sock']);
    // Without tests that run containers (and no executor: engine) the socket is not needed at all.
    const noEngine = checkout('no-engine', { 'pipeline.yml': `version: 1\nimages:\n  app: { dockerfile: Dockerfile, from: "${base}", tags: ["{sha}"] }\n`, Dockerfile: `FROM ${base}\n` });
    const n = await doctor([], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, noEngine);
    assert.equal([n.code, find(n.checks, 'engine')!.status], [0, 'skip']);
  });

  test('clock skew against the registry: a warning past 30 s, a failure past 5 min (a proxy shifts its Date header)', async () => {
    const dir = single();
    for (const [offset, status] of [[60_000, 'warn'], [-600_000, 'fail']] as const) {
      const proxy = await startFaultyProxy(anon.host, [{ fault: { kind: 'clock', offsetMs: offset } }]);
      try {
        const r = await doctor(['--image', `${proxy.host}/${NS}/clock`], {}, dir);
        const clock = find(r.checks, 'clock')!;
        assert.is(clock.status, status, clock.detail);
        // The Date header has whole seconds and the request takes time: the skew is read within 2 s.
        const seen = new RegExp(`${proxy.host.replace(/\./g, '\\.')} ([+-]?\\d+) s`).exec(clock.detail);
        assert.ok(seen && Math.abs(Number(seen[1]) - offset / 1000) <= 2, clock.detail);
        assert.is(r.code, status === 'fail' ? 1 : 0);
      } finally {
        await proxy.close();
      }
    }
  });
}

test.run();
