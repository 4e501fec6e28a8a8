// The deploy commands through the bundled binary, against the real local engine and registry:
// deploy → status → deploy → diff → history → a failing version rolled back → rollback → lock → prune,
// the GitOps record in a bare remote, and bad input that exits 2 with nothing deployed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLock, openTarget, parseDeployConfig, releaseLock, type DockerTarget } from '@pipeline/deploy';
import { silentLogger } from '@pipeline/core';
import { runCli } from '../../../test/lib/cli.js';
import { needs } from '../../../test/lib/services.js';
import { tempDir } from '../../../test/lib/tmp.js';
import { cleanEngine, makeApp, type AppImage } from '../../deploy/test/helpers/images.js';
import { freeRange } from '../../deploy/test/helpers/ports.js';

const APP = `itg-cli-${process.pid}`;
const REPO = `127.0.0.1:5000/deploy-itg/${APP}`;
const HOST = 'unix:///var/run/docker.sock';
const bin = fileURLToPath(new URL('../bin/pipeline.js', import.meta.url));
// PIPELINE_ACTOR: the history, the lock and the GitOps commit say who (the documented setting, through the binary).
const ENV = { PIPELINE_ACTOR: 'itg-actor', NO_COLOR: '1' };

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@x', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@x' } }).trim();

const PORTS = await freeRange(20);
const repo = tempDir('deploy-cli-');
const bare = tempDir('deploy-cli-remote-');
const yml = (extra = '') => `version: 1
environments:
  local:
    app: ${APP}
    image: ${REPO}
    hosts: [${HOST}]
    replicas: 2
    network: host
    hostPorts: ${PORTS}
    probe: { http: { path: /health }, interval: 1s, timeout: 1s, retries: 2 }
    rollout: { batch: 1, drain: 200ms }
    prune: { auto: false, keep: 1 }
    history: { git: { branch: pipeline/deploys, remote: ${bare} } }
${extra}`;
const cli = (...args: string[]) => runCli(args, ENV, repo);
const json = <T = Record<string, any>>(s: string): T => JSON.parse(s) as T;
const running = async () => (await openTarget(parseDeployConfig({ local: { app: APP, image: REPO, hosts: [HOST] } }, () => ({ file: 'x' })).local).list()).filter((i) => i.running);

/** What `pipeline build --push` leaves behind for the app image. */
function recordPush(img: AppImage): void {
  mkdirSync(join(repo, '.pipeline'), { recursive: true });
  writeFileSync(join(repo, '.pipeline/record.json'), JSON.stringify({ version: 1, images: { app: { inputs: 'x', digest: img.digest, tags: [img.sha], source: img.ref, revision: img.sha } } }));
}

let v1: AppImage, v2: AppImage, v3: AppImage;

if (needs(test, 'docker', 'registry')) {
  test.before(async () => {
    git(bare, 'init', '-q', '--bare');
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'pipeline.yml'), yml());
    git(repo, 'add', 'pipeline.yml');
    git(repo, 'commit', '-q', '-m', 'init');
    [v1, v2, v3] = [await makeApp(REPO, 'v1'), await makeApp(REPO, 'v2'), await makeApp(REPO, 'v3', 'no-health')];
  });
  test.after(() => cleanEngine(APP, REPO));

  test('bad input exits 2 with pipeline.yml:line:col and deploys nothing', async () => {
    // Nothing pushed yet: the record holds no digest.
    let r = await cli('deploy', 'local');
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${join(repo, 'pipeline.yml')}:5:5: environments.local: no image to deploy: .pipeline/record.json holds no pushed digest for ${REPO}`));
    assert.match(r.stderr, /hint: run pipeline build --push first, or pass --image/);
    // An unknown environment, with a suggestion.
    r = await cli('deploy', 'locl', '--image', `${REPO}@${'sha256:' + '0'.repeat(64)}`);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /pipeline\.yml:2:1: environments: no environment 'locl' \(did you mean 'local'\?\); defined: local/);
    // --image without a digest.
    r = await cli('deploy', 'local', '--image', `${REPO}:v1`);
    assert.is(r.code, 2);
    assert.match(r.stderr, /Expected --image REPOSITORY@sha256:<digest>/);
    // A bad environments section in pipeline.yml, in a copy of the repo's config.
    const bad = tempDir('deploy-cli-bad-');
    writeFileSync(join(bad, 'pipeline.yml'), yml().replace(`hosts: [${HOST}]`, 'hosts: ["ssh://web1"]'));
    r = await runCli(['deploy', 'local', '--image', v1.ref], ENV, bad);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /pipeline\.yml:6:13: environments\.local\.hosts\.0: Expected ssh:\/\/USER@HOST\[:PORT\] with a user name, got "ssh:\/\/web1"/);
    r = await runCli(['status', 'local', '--json'], ENV, bad);
    assert.is(r.code, 2);
    assert.is(json(r.stdout).error.position.line, 6);
    // A secret that is not set: refused before any host is touched.
    writeFileSync(join(bad, 'pipeline.yml'), yml('    secrets: { DB_PASS: { env: PIPELINE_ITG_UNSET_SECRET } }\n'));
    r = await runCli(['deploy', 'local', '--image', v1.ref], ENV, bad);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /PIPELINE_ITG_UNSET_SECRET to be set/);
    // --lock-wait must be a duration.
    r = await cli('deploy', 'local', '--image', v1.ref, '--lock-wait', 'soon');
    assert.is(r.code, 2);
    assert.match(r.stderr, /Expected --lock-wait to be a duration/);
    assert.equal(await running(), []);
  });

  test('deploy v1 from the build record; status shows it', async () => {
    recordPush(v1);
    const r = await cli('deploy', 'local', '--json');
    assert.is(r.code, 0, r.stderr);
    const out = json(r.stdout);
    assert.is(out.digest, v1.digest);
    assert.is(out.sha, v1.sha);
    assert.is(out.actor, 'itg-actor');
    assert.is(out.instances.length, 2);
    const s = await cli('status', 'local', '--json');
    assert.is(s.code, 0, s.stderr);
    assert.equal(json(s.stdout).versions, [{ digest: v1.digest, sha: v1.sha, running: 2 }]);
    // Health from the environment's HTTP probe (the image has no HEALTHCHECK): it said `none` before.
    assert.equal(json(s.stdout).hosts[HOST].map((x: { health: string }) => x.health), ['healthy', 'healthy']);
    const human = await cli('status', 'local');
    assert.match(human.stdout, /^local: 2 running\n/);
    assert.match(human.stdout, new RegExp(`${HOST}\\n  ${APP}-\\S+  ${v1.digest.slice(7, 19)}  ${v1.sha}  healthy  `));
  });

  test('deploy v2 by --image; diff against it and against v1', async () => {
    const r = await cli('deploy', 'local', '--image', v2.ref, '--message', 'ship v2');
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`deployed ${v2.digest.slice(7, 19)} to local: ${v1.digest.slice(7, 19)} → ${v2.digest.slice(7, 19)}, 2 instance\\(s\\)`));
    assert.equal((await running()).map((i) => i.digest), [v2.digest, v2.digest]);
    let d = await cli('diff', 'local', '--image', v2.ref, '--json');
    assert.is(d.code, 0, d.stderr);
    assert.is(json(d.stdout).changed, false);
    d = await cli('diff', 'local', '--image', v1.ref, '--json');
    assert.equal(json(d.stdout).image, [{ host: HOST, from: [v2.digest], to: v1.digest }]);
    assert.is(json(d.stdout).changed, true);
    d = await cli('diff', 'local', '--image', v1.ref);
    assert.match(d.stdout, new RegExp(`image   ${HOST}: ${v2.digest.slice(7, 19)} → ${v1.digest.slice(7, 19)}`));
  });

  test('history: two deploys, newest first, with actor and from → to', async () => {
    const r = await cli('history', 'local', '--json');
    assert.is(r.code, 0, r.stderr);
    const e = json<{ entries: any[] }>(r.stdout).entries;
    assert.equal(e.map((x) => [x.kind, x.result, x.actor, x.from?.digest, x.to.digest]), [
      ['deploy', 'ok', 'itg-actor', v1.digest, v2.digest],
      ['deploy', 'ok', 'itg-actor', undefined, v1.digest],
    ]);
    assert.is(e[0].message, 'ship v2');
    assert.is(e[1].to.sha, v1.sha);
    const limited = await cli('history', 'local', '--limit', '1');
    assert.is(limited.stdout.trim().split('\n').length, 1);
    assert.match(limited.stdout, /deploy +ok +\S+ \(v1\d+\) → \S+  by itg-actor/);
  });

  test('a failing v3 exits 1 with the account; status still shows v2; the GitOps record has all three', async () => {
    const r = await cli('deploy', 'local', '--image', v3.ref);
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /failed in batch 1\/2/);
    assert.match(r.stderr, /probe: http GET \/health → 200/);
    assert.match(r.stderr, /rolled back every host to/);
    const s = json((await cli('status', 'local', '--json')).stdout);
    assert.equal(s.versions.map((v: { digest: string }) => v.digest), [v2.digest]);
    assert.is(s.mixed, false);
    const lines = git(bare, 'show', 'pipeline/deploys:deploys/local.jsonl').split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.map((l) => [l.environment, l.result, l.to.digest]), [['local', 'ok', v1.digest], ['local', 'ok', v2.digest], ['local', 'rolled-back', v3.digest]]);
    assert.is(git(bare, 'log', '-1', '--format=%an', 'pipeline/deploys'), 'itg-actor');
    // The user's checkout is untouched by the record.
    assert.is(git(repo, 'symbolic-ref', '--short', 'HEAD'), 'main');
    assert.is(git(repo, 'status', '--porcelain', '--untracked-files=no'), '');
  });

  test('rollback --to v1 by SHA, then rollback to the version before (v2)', async () => {
    let r = await cli('rollback', 'local', '--to', v1.sha, '--json');
    assert.is(r.code, 0, r.stderr);
    assert.is(json(r.stdout).digest, v1.digest);
    assert.equal((await running()).map((i) => i.digest), [v1.digest, v1.digest]);
    r = await cli('rollback', 'local');
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`rolled local back: ${v1.digest.slice(7, 19)} → ${v2.digest.slice(7, 19)}`));
    const h = json<{ entries: any[] }>((await cli('history', 'local', '--json', '--limit', '2')).stdout).entries;
    assert.equal(h.map((x) => [x.kind, x.result, x.to.digest]), [['rollback', 'ok', v2.digest], ['rollback', 'ok', v1.digest]]);
    assert.is(git(bare, 'show', 'pipeline/deploys:deploys/local.jsonl').split('\n').length, 5);
    r = await cli('rollback', 'local', '--to', 'fffffff');
    assert.is(r.code, 2);
    assert.match(r.stderr, /Expected a version to roll back to matching fffffff/);
  });

  test('lock status and release; a deploy against a held lock fails clearly (exit 1)', async () => {
    let r = await cli('lock', 'status', 'local');
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /local: not locked/);
    const t = openTarget(parseDeployConfig({ local: { app: APP, image: REPO, hosts: [HOST] } }, () => ({ file: 'x' })).local);
    await acquireLock(t, { owner: 'someone-else', message: 'hotfix in progress', time: new Date().toISOString(), deployId: 'held-1' }, { wait: 0, stale: 3_600_000, logger: silentLogger });
    try {
      r = await cli('lock', 'status', 'local', '--json');
      assert.is(json(r.stdout).locked, true);
      assert.is(json(r.stdout).hosts[HOST].owner, 'someone-else');
      r = await cli('deploy', 'local', '--image', v1.ref, '--lock-wait', '500ms');
      assert.is(r.code, 1);
      assert.match(r.stderr, /environment is locked by someone-else since .*: hotfix in progress \(deploy held-1\)/);
      r = await cli('lock', 'release', 'local');
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`released on ${HOST}`));
      r = await cli('lock', 'status', 'local');
      assert.match(r.stdout, /not locked/);
      r = await cli('lock', 'open', 'local');
      assert.is(r.code, 2);
    } finally {
      await releaseLock(t);
    }
    assert.equal((await running()).map((i) => i.digest), [v2.digest, v2.digest]);
  });

  test('prune --keep 1 keeps the running version and its rollback target, removes the rest', async () => {
    const r = await cli('prune', 'local', '--keep', '1', '--json');
    assert.is(r.code, 0, r.stderr);
    const out = json(r.stdout);
    assert.ok(out.kept.includes(v2.digest), `kept ${out.kept}`);
    assert.not.ok(out.kept.includes(v3.digest));
    const t = openTarget(parseDeployConfig({ local: { app: APP, image: REPO, hosts: [HOST] } }, () => ({ file: 'x' })).local) as DockerTarget;
    const left = await t.list();
    assert.ok(left.every((i) => out.kept.includes(i.digest)), `left: ${left.filter((i) => !out.kept.includes(i.digest)).map((i) => `${i.name} ${i.state}`).join(', ')}; removed: ${out.containers.join(', ')}`);
    const imgs = await t.images(HOST);
    assert.ok(imgs.every((i) => i.digests.some((d) => out.kept.includes(d))), `images left: ${imgs.filter((i) => !i.digests.some((d) => out.kept.includes(d))).map((i) => `${i.id.slice(7, 19)} ${i.digests.join(',')}`).join('; ')}; kept ${out.kept.join(', ')}; removed ${out.images.join(', ')}; all containers: ${(await t.list()).map((c) => `${c.name} ${c.state} ${c.digest.slice(7, 19)}`).join(', ')}`);
    assert.is((await cli('prune', 'local', '--keep', '0')).code, 2);
  });

  test('Ctrl-C during a rollout: exit 1, lock released, never zero replicas; the next deploy converges', async () => {
    const child = spawn(process.execPath, [bin, 'deploy', 'local', '--image', v3.ref], { cwd: repo, env: { ...process.env, ...ENV } });
    let err = '';
    const started = new Promise<void>((res) => child.stderr.on('data', (c) => {
      err += c;
      if (/in \d+ batch\(es\)/.test(err)) res();
    }));
    const code = new Promise<number | null>((res) => child.on('close', res));
    await Promise.race([started, code]);
    child.kill('SIGINT');
    assert.is(await code, 1, err);
    assert.match(err, /SIGINT: stopping the deploy and releasing the lock/);
    assert.match((await cli('lock', 'status', 'local')).stdout, /not locked/);
    assert.ok((await running()).filter((i) => i.digest === v2.digest).length >= 1);
    const r = await cli('deploy', 'local', '--image', v2.ref);
    assert.is(r.code, 0, r.stderr);
    assert.equal((await running()).map((i) => i.digest), [v2.digest, v2.digest]);
  });

  test('kill -9 mid-rollout leaves versions mixed: status --report-only says so; status converges to the last good one', async () => {
    const child = spawn(process.execPath, [bin, 'deploy', 'local', '--image', v1.ref], { cwd: repo, env: { ...process.env, ...ENV } });
    let err = '';
    const midway = new Promise<void>((res) => child.stderr.on('data', (c) => {
      err += c;
      if (/healthy in \d+ ms/.test(err)) res();
    }));
    const code = new Promise<number | null>((res) => child.on('close', res));
    await Promise.race([midway, code]);
    child.kill('SIGKILL');
    await code;
    // A `docker stop` the killed process had already sent still completes in the engine: read
    // the fleet once it has settled (the same list twice, 1 s apart).
    const settled = async () => {
      let last = '';
      for (let i = 0; i < 30; i++) {
        const now = (await running()).map((x) => `${x.name}@${x.digest}`).sort().join(' ');
        if (now === last) return;
        last = now;
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    await settled();
    const before = (await running()).map((i) => i.digest);
    assert.ok(before.includes(v1.digest) && before.includes(v2.digest), `mixed after the kill: ${before}\n${err}`);
    const report = await cli('status', 'local', '--report-only', '--json');
    assert.is(report.code, 0, report.stderr);
    assert.is(json(report.stdout).mixed, true);
    assert.equal(json(report.stdout).converged, undefined);
    assert.equal((await running()).map((i) => i.digest).sort(), before.sort(), 'report-only touches nothing');
    const r = await cli('status', 'local', '--json');
    assert.is(r.code, 0, r.stderr);
    const j = json(r.stdout);
    assert.is(j.converged.to, v2.digest, 'the last version deployed ok, not the interrupted one');
    assert.is(j.mixed, false);
    assert.equal((await running()).map((i) => i.digest), [v2.digest, v2.digest]);
    assert.match((await cli('lock', 'status', 'local')).stdout, /not locked/);
  });
}

test.run();
