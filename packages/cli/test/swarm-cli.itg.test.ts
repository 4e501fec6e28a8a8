// The deploy commands for a `target: swarm` environment through the bundled binary, on the real Swarm:
// bad config exits 2 at pipeline.yml:line:col with nothing created; deploy → status → diff → history →
// rollback --to / rollback → lock → prune; a deploy killed with SIGKILL mid-update, then `pipeline status`
// converges the stack to the last version deployed ok.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { runCli } from '../../../test/lib/cli.js';
import { needs } from '../../../test/lib/services.js';
import { tempDir } from '../../../test/lib/tmp.js';
import { cleanEngine, makeApp, type AppImage } from '../../deploy/test/helpers/images.js';
import { cleanSwarm, docker, servingDigests } from '../../deploy/test/helpers/swarm.js';

const STACK = `csw${process.pid}`;
const REPO = `127.0.0.1:5000/deploy-itg/${STACK}`;
const WEB = `${STACK}_web`;
const bin = fileURLToPath(new URL('../bin/pipeline.js', import.meta.url));
const ENV = { PIPELINE_ACTOR: 'swarm-itg', NO_COLOR: '1', PIPELINE_ITG_TOKEN: 'token-one' };
const dir = tempDir('swarm-cli-');
const yml = (services = 'web: { replicas: 3, ports: [80] }', extra = '') => `version: 1
environments:
  sw:
    target: swarm
    manager: unix:///var/run/docker.sock
    stack: ${STACK}
    image: ${REPO}
    secrets: { TOKEN: { env: PIPELINE_ITG_TOKEN } }
    services:
      ${services}
    probe: { http: { path: /health }, interval: 500ms, timeout: 1s, retries: 2, stability: 3s }
    rollout: { batch: 1, order: start-first }
${extra}`;
const cli = (...args: string[]) => runCli(args, ENV, dir);
const json = <T = Record<string, any>>(s: string): T => JSON.parse(s) as T;
/** What `pipeline build --push` leaves behind for the app image (its SHA goes into the history). */
function recordPush(img: AppImage): void {
  mkdirSync(join(dir, '.pipeline'), { recursive: true });
  writeFileSync(join(dir, '.pipeline/record.json'), JSON.stringify({ version: 1, images: { app: { inputs: 'x', digest: img.digest, tags: [img.sha], source: img.ref, revision: img.sha } } }));
}
const objects = async () => {
  const out: string[] = [];
  for (const kind of ['service', 'secret', 'config', 'network']) out.push(...(await docker([kind, 'ls', '--format', '{{.Name}}'])).split('\n').filter((n) => n.includes(STACK)));
  return out;
};

if (needs(test, 'swarm', 'registry')) {
  let v1: AppImage, v2: AppImage, v3: AppImage;
  test.before(async () => {
    [v1, v2, v3] = [await makeApp(REPO, 'v1'), await makeApp(REPO, 'v2'), await makeApp(REPO, 'v3')];
  });
  test.after(async () => {
    await cleanSwarm(STACK, STACK);
    await cleanEngine(STACK, REPO);
  });

  test('bad swarm config: exit 2 at pipeline.yml:line:col, nothing created in the Swarm', async () => {
    const cases: [string, string, RegExp][] = [
      [yml('web: { replicas: 3, ports: [eighty] }'), 'deploy', /pipeline\.yml:10:35: environments\.sw\.services\.web\.ports\.0: Expected TARGET or PUBLISHED:TARGET\[\/tcp\|udp\] with ports 1-65535, got "eighty"/],
      [yml('web: { replicas: 2, ports: ["8080:80"] }'), 'deploy', /pipeline\.yml:10:35: environments\.sw\.services\.web\.ports\.0: Expected a port without a fixed published port with order start-first/],
      [yml('web: { placement: { constraints: [role=manager] } }'), 'status', /environments\.sw\.services\.web\.placement\.constraints\.0: Expected a constraint like node\.role==manager/],
      [yml().replace('manager: unix:///var/run/docker.sock', 'manager: tcp://10.0.0.1'), 'deploy', /pipeline\.yml:5:14: environments\.sw\.manager: Expected tcp:\/\/HOST:PORT with a port/],
      [yml().replace('probe: { http: { path: /health }', 'probe: { exec: [/bin/true]'), 'deploy', /environments\.sw\.probe\.exec: Expected http, tcp or healthcheck probes with target: swarm/],
      [yml('web: { image: 127.0.0.1:5000/other/repo }'), 'deploy', /environments\.sw\.services\.web\.image: Expected 127\.0\.0\.1:5000\/deploy-itg\/\S+ \(the deployed repository, which takes the deploy's digest\) or a pinned repo@sha256/],
      [yml().replace('target: swarm', 'target: swarms'), 'deploy', /pipeline\.yml:4:13: environments\.sw\.target: Expected one of docker, swarm/],
      [yml('web: { replicas: 3, volumes: [a:/b] }'), 'deploy', /environments\.sw\.services\.web\.volumes: Expected one of the keys image, replicas/],
    ];
    for (const [text, cmd, re] of cases) {
      writeFileSync(join(dir, 'pipeline.yml'), text);
      const r = await cli(cmd, 'sw', ...(cmd === 'deploy' ? ['--image', v1.ref] : []));
      assert.is(r.code, 2, `${re}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.equal(await objects(), []);
  });

  test('deploy v1 then v2; status shows every task healthy; diff and history', async () => {
    writeFileSync(join(dir, 'pipeline.yml'), yml());
    recordPush(v1);
    let r = await cli('deploy', 'sw', '--json');
    assert.is(r.code, 0, r.stderr);
    assert.is(json(r.stdout).instances.length, 3);
    recordPush(v2);
    r = await cli('deploy', 'sw', '-m', 'ship v2');
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`deployed ${v2.digest.slice(7, 19)} \\(${v2.sha}\\) to sw: ${v1.digest.slice(7, 19)} → ${v2.digest.slice(7, 19)}, 3 instance\\(s\\)`));
    const s = await cli('status', 'sw', '--json');
    assert.is(s.code, 0, s.stderr);
    const st = json(s.stdout);
    assert.equal(st.versions, [{ digest: v2.digest, sha: v2.sha, running: 3 }]);
    assert.equal(st.hosts[WEB].map((x: { health: string }) => x.health), ['healthy', 'healthy', 'healthy']);
    assert.is(st.mixed, false);
    const human = await cli('status', 'sw');
    assert.match(human.stdout, new RegExp(`^sw: 3 running\\n${WEB}\\n  ${WEB}\\.1 on \\S+  ${v2.digest.slice(7, 19)}  ${v2.sha}  healthy  `));
    let d = await cli('diff', 'sw', '--image', v2.ref, '--json');
    assert.is(json(d.stdout).changed, false, d.stdout);
    d = await cli('diff', 'sw', '--image', v1.ref);
    assert.match(d.stdout, new RegExp(`image   ${WEB}: ${v2.digest.slice(7, 19)} → ${v1.digest.slice(7, 19)}`));
    const h = json<{ entries: any[] }>((await cli('history', 'sw', '--json')).stdout).entries;
    assert.equal(h.map((e) => [e.kind, e.result, e.actor, e.from?.digest, e.to.digest]), [['deploy', 'ok', 'swarm-itg', v1.digest, v2.digest], ['deploy', 'ok', 'swarm-itg', undefined, v1.digest]]);
    assert.is(h[0].message, 'ship v2');
    // Kept in the Swarm: one config per entry.
    assert.is((await docker(['config', 'ls', '--filter', `label=dev.pipeline.app=${STACK}`, '--filter', 'label=dev.pipeline.role=history', '-q'])).split('\n').length, 2);
  });

  test('rollback --to v1 by SHA, then rollback to the version before', async () => {
    let r = await cli('rollback', 'sw', '--to', v1.sha, '--json');
    assert.is(r.code, 0, r.stderr);
    assert.is(json(r.stdout).digest, v1.digest);
    assert.equal(await servingDigests(WEB), [v1.digest, v1.digest, v1.digest]);
    r = await cli('rollback', 'sw');
    assert.is(r.code, 0, r.stderr);
    assert.equal(await servingDigests(WEB), [v2.digest, v2.digest, v2.digest]);
    r = await cli('rollback', 'sw', '--to', 'fffffff');
    assert.is(r.code, 2);
    assert.match(r.stderr, /Expected a version to roll back to matching fffffff, got none in the instances or the history on the Swarm/);
  });

  test('lock status and release; prune removes a secret no spec uses', async () => {
    let r = await cli('lock', 'status', 'sw');
    assert.match(r.stdout, /sw: not locked/);
    // A changed secret value: a new content-addressed secret; the old one goes with the deploy's prune.
    const before = (await docker(['secret', 'ls', '--filter', `label=dev.pipeline.app=${STACK}`, '--format', '{{.Name}}'])).split('\n');
    r = await runCli(['deploy', 'sw', '--image', v1.ref, '--no-prune'], { ...ENV, PIPELINE_ITG_TOKEN: 'token-two' }, dir);
    assert.is(r.code, 0, r.stderr);
    const both = (await docker(['secret', 'ls', '--filter', `label=dev.pipeline.app=${STACK}`, '--format', '{{.Name}}'])).split('\n').sort();
    assert.is(both.length, 2);
    r = await cli('prune', 'sw', '--json');
    assert.is(r.code, 0, r.stderr);
    assert.equal(json(r.stdout).objects, before.map((n) => `secret ${n}`));
    r = await cli('prune', 'sw');
    assert.match(r.stdout, /removed 0 container\(s\), 0 image\(s\), 0 other object\(s\)/);
  });

  test('SIGKILL mid-update: status --report-only says mixed; status converges to the last version deployed ok and frees the lock', async () => {
    writeFileSync(join(dir, 'pipeline.yml'), yml().replace('stability: 3s', 'stability: 5s'));
    assert.is((await cli('deploy', 'sw', '--image', v2.ref)).code, 0);
    const child = spawn(process.execPath, [bin, 'deploy', 'sw', '--image', v3.ref], { cwd: dir, env: { ...process.env, ...ENV } });
    let err = '';
    const started = new Promise<void>((res) => child.stderr.on('data', (c) => {
      err += c;
      if (/service\(s\) to update/.test(err)) res();
    }));
    const code = new Promise<number | null>((res) => child.on('close', res));
    await Promise.race([started, code]);
    await new Promise((r) => setTimeout(r, 3000));
    child.kill('SIGKILL');
    await code;
    const report = await cli('status', 'sw', '--report-only', '--json');
    assert.is(report.code, 0, report.stderr);
    assert.is(json(report.stdout).mixed, true, report.stdout);
    assert.ok(Object.values(json(report.stdout).lock).some(Boolean), 'the killed deploy still holds the lock');
    const r = await cli('status', 'sw', '--json');
    assert.is(r.code, 0, r.stderr);
    const j = json(r.stdout);
    assert.is(j.converged.to, v2.digest, `${r.stdout}\n${err}`);
    assert.is(j.mixed, false);
    assert.equal(await servingDigests(WEB), [v2.digest, v2.digest, v2.digest]);
    assert.match((await cli('lock', 'status', 'sw')).stdout, /not locked/);
    assert.is((await execa('docker', ['service', 'inspect', '--format', '{{.UpdateStatus.State}}', WEB])).stdout, 'completed');
  });
}

test.run();
