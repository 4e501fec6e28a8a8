import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, writeFile, chmod, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mask } from '@pipeline/core';
import { resolveCredentials, normalizeAuthKey, loginFor } from '../../src/registry/index.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

async function configDir(cfg: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dockercfg-'));
  await writeFile(join(dir, 'config.json'), JSON.stringify(cfg));
  return dir;
}

/** A real helper program (shell script) that logs the server URL it was asked about. */
async function helper(dir: string, name: string, secret: string, user = 'helper-user'): Promise<string> {
  const bin = join(dir, `docker-credential-${name}`);
  await writeFile(bin, `#!/bin/sh\n[ "$1" = get ] || exit 3\nread url\necho "$url" >> "${dir}/asked"\ncase "$url" in *unknown*) echo "credentials not found in native keychain"; exit 1;; esac\nprintf '{"ServerURL":"%s","Username":"${user}","Secret":"${secret}"}' "$url"\n`);
  await chmod(bin, 0o755);
  return dir;
}

test('auth keys match by host, https://host, and Hub\'s v1 URL', () => {
  assert.is(normalizeAuthKey('https://index.docker.io/v1/'), 'docker.io');
  assert.is(normalizeAuthKey('registry-1.docker.io'), 'docker.io');
  assert.is(normalizeAuthKey('https://ghcr.io'), 'ghcr.io');
  assert.is(normalizeAuthKey('http://127.0.0.1:5001/v2/'), '127.0.0.1:5001');
});

test('explicit beats Docker config; env credentials are the CLI settings\' business, never read here; passwords are masked', async () => {
  const dir = await configDir({ auths: { 'reg.example:5000': { auth: b64('cfg-user:cfg-pass-1') } } });
  const env = { DOCKER_CONFIG: dir, PIPELINE_REGISTRY_USERNAME: 'env-user', PIPELINE_REGISTRY_PASSWORD: 'env-pass-1' };
  assert.equal(await resolveCredentials('reg.example:5000', { username: 'x', password: 'explicit-pass' }, env), { username: 'x', password: 'explicit-pass' });
  assert.equal(await resolveCredentials('reg.example:5000', undefined, env), { username: 'cfg-user', password: 'cfg-pass-1' });
  assert.is(await resolveCredentials('other.example', undefined, env), undefined);
  assert.is(mask('a cfg-pass-1 b explicit-pass'), 'a *** b ***');
});

test('loginFor picks the explicit login of a registry whatever shape its key has', () => {
  const logins = { 'https://reg.example:5000/v1/': { username: 'a', password: 'p1' }, 'index.docker.io': { username: 'h', password: 'p2' } };
  assert.equal(loginFor(logins, 'reg.example:5000'), { username: 'a', password: 'p1' });
  assert.equal(loginFor(logins, 'docker.io'), { username: 'h', password: 'p2' });
  assert.is(loginFor(logins, 'other.example'), undefined);
  assert.is(loginFor(undefined, 'reg.example:5000'), undefined);
});

test('auths: base64 auth with a colon in the password, username/password fields, https:// keys, Hub, identity tokens', async () => {
  const dir = await configDir({
    auths: {
      'https://a.example': { auth: b64('u1:pa:ss') },
      'b.example': { username: 'u2', password: 'p2-secret' },
      'https://index.docker.io/v1/': { auth: b64('hubuser:hub-pass') },
      'c.example': { identitytoken: 'refresh-token-1' },
    },
  });
  const env = { DOCKER_CONFIG: dir };
  assert.equal(await resolveCredentials('a.example', undefined, env), { username: 'u1', password: 'pa:ss' });
  assert.equal(await resolveCredentials('b.example', undefined, env), { username: 'u2', password: 'p2-secret' });
  assert.equal(await resolveCredentials('docker.io', undefined, env), { username: 'hubuser', password: 'hub-pass' });
  assert.equal(await resolveCredentials('c.example', undefined, env), { identityToken: 'refresh-token-1' });
});

test('credHelpers[host] and credsStore run docker-credential-<name> get with the server URL on stdin', async () => {
  const dir = await configDir({ credHelpers: { 'h.example': 'pipetest' }, credsStore: 'store', auths: { 'inline.example': { auth: b64('i:inline-pass') } } });
  await helper(dir, 'pipetest', 'helper-secret-1');
  await helper(dir, 'store', 'store-secret-1', '<token>');
  const env = { DOCKER_CONFIG: dir, PATH: `${dir}:${process.env.PATH}` };
  assert.equal(await resolveCredentials('h.example', undefined, env), { username: 'helper-user', password: 'helper-secret-1' });
  // An inline auth wins over credsStore; credsStore answers the rest ("<token>" = identity token).
  assert.equal(await resolveCredentials('inline.example', undefined, env), { username: 'i', password: 'inline-pass' });
  assert.equal(await resolveCredentials('docker.io', undefined, env), { identityToken: 'store-secret-1' });
  assert.is(await resolveCredentials('unknown.example', undefined, env), undefined);
  const asked = (await readFile(join(dir, 'asked'), 'utf8')).trim().split('\n');
  assert.equal(asked, ['h.example', 'https://index.docker.io/v1/', 'unknown.example']);
});

test('a configured helper that is not installed is a clear error', async () => {
  const dir = await configDir({ credsStore: 'definitely-missing' });
  const err = await resolveCredentials('x.example', undefined, { DOCKER_CONFIG: dir }).catch((e: Error) => e);
  assert.instance(err, Error);
  assert.match((err as Error).message, /docker-credential-definitely-missing is not installed/);
});

test.run();
