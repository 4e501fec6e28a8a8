// ssh:// for real (Debian's sshd in a network namespace beside its engine): one ssh connection per host for a whole
// deploy (counted in sshd's own log), host keys checked against known_hosts, a wrong or unknown key refused.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { isDeployError, type PipelineError } from '@pipeline/core';
import { deploy, openTarget, parseDeployConfig, type DeployEnvironment } from '../src/index.js';
import { needs } from '../../../test/lib/services.js';
import { startLab, type NetnsLab } from '../../../test/lib/netns.js';
import { tempDir } from '../../../test/lib/tmp.js';
import { cleanEngine, makeApp, type AppImage } from './helpers/images.js';

const APP = `itg-ssh-${process.pid}`;
const REPO = `127.0.0.1:5000/deploy-itg/${APP}`;
let lab: NetnsLab, v1: AppImage, v2: AppImage, dir: string;

const sshdLog = () => join('/var/lib/pipeline-test/netns', lab.hosts[0].ns, 'sshd.log');
const logins = () => (readFileSync(sshdLog(), 'utf8').match(/Accepted publickey/g) ?? []).length;

function envWith(knownHosts?: string): DeployEnvironment {
  return parseDeployConfig({
    ssh: {
      app: APP, image: REPO, replicas: 2, network: 'host', hostPorts: '23420-23429',
      hosts: [{ url: lab.hosts[0].ssh, identity: lab.identity, ...(knownHosts ? { knownHosts } : {}) }],
      probe: { http: { path: '/health' }, interval: '1s', timeout: '1s', retries: 2 },
      rollout: { batch: 1, drain: '100ms' }, prune: { auto: false },
    },
  }, () => ({ file: 'pipeline.yml' })).ssh;
}

/**
 * A lab already swept (its name gone from `ip netns list`) whose dockerd's namespace mount was left under
 * /run/NAME/netns/default still holds 10.231.0.11, the address this lab gets too: release such leftovers.
 */
async function clearStaleLabMounts(): Promise<void> {
  const live = new Set((await execa('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]));
  for (const m of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const path = /^nsfs (\/run\/(pld[a-z]+\d+)\/netns\/default) /.exec(m);
    if (path && !live.has(path[2])) await execa('umount', [path[1]], { reject: false });
  }
}

if (needs(test, 'docker', 'registry')) {
  test.before(async () => {
    [v1, v2] = [await makeApp(REPO, 'v1'), await makeApp(REPO, 'v2')];
    await clearStaleLabMounts();
    lab = await startLab('plds', 1, { ssh: 1 });
    dir = tempDir('deploy-ssh-');
  });
  test.after(async () => {
    await lab?.stop();
    // test/lib/netns.ts leaves dockerd's namespace mount under its exec root: that namespace (and its address,
    // which every lab reuses) would outlive the lab.
    await execa('umount', ['/run/plds1/netns/default'], { reject: false });
    await cleanEngine(APP, REPO);
  });

  test('a deploy over ssh uses one ssh connection for all its API calls; the host key is checked against known_hosts', async () => {
    const hostKey = readFileSync(join(dirname(lab.identity), 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const known = join(dir, 'known_hosts');
    writeFileSync(known, `# test\nother.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBvFqSx5DFgqzOKNbtxFgk4zkP9V0xmDFbGMWn1uZ4Km\n${lab.hosts[0].address} ${hostKey}\n`);
    const env = envWith(known);
    const n0 = logins();
    const t = openTarget(env);
    await deploy({ env, image: v1.ref, sha: v1.sha, actor: 'itg', target: t });
    const r = await deploy({ env, image: v2.ref, sha: v2.sha, actor: 'itg', target: t });
    await t.close();
    assert.is(r.previous, v1.digest);
    assert.equal(r.instances.map((i) => i.digest), [v2.digest, v2.digest]);
    assert.is(logins() - n0, 1, readFileSync(sshdLog(), 'utf8').split('\n').slice(-20).join('\n'));
    // a fresh target after close() connects again (once)
    const again = openTarget(env);
    assert.is((await again.list()).filter((i) => i.running).length, 2);
    await again.close();
    assert.is(logins() - n0, 2);
  });

  test('a host key that differs from known_hosts, or a host missing from the configured known_hosts, is refused (exit 2)', async () => {
    const other = join(dir, 'other_key');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const wrong = join(dir, 'known_hosts_wrong');
    writeFileSync(wrong, `${lab.hosts[0].address} ${readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const err = (await deploy({ env: envWith(wrong), image: v1.ref, actor: 'itg' }).catch((e: unknown) => e)) as PipelineError;
    assert.ok(isDeployError(err), String(err));
    assert.is(err.exitCode, 2);
    assert.match(err.message, /host key verification failed: the key of 10\.231\.0\.11 \(ssh-ed25519 SHA256:[A-Za-z0-9+/]+\) differs from the one in /);
    const empty = join(dir, 'known_hosts_empty');
    writeFileSync(empty, '');
    const err2 = (await deploy({ env: envWith(empty), image: v1.ref, actor: 'itg' }).catch((e: unknown) => e)) as PipelineError;
    assert.ok(isDeployError(err2), String(err2));
    assert.match(err2.message, /10\.231\.0\.11 is not in .*known_hosts_empty \(its key is ssh-ed25519 SHA256:.*add it with ssh-keyscan\)/);
    // nothing was deployed: still v2
    const t = openTarget(envWith());
    assert.equal((await t.list()).filter((i) => i.running).map((i) => i.digest), [v2.digest, v2.digest]);
    await t.close();
  });
}

test.run();
