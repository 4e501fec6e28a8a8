import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { isRegistryError, parseReference, type RegistryError } from '@pipeline/core';
import { needs, services } from '../../../../test/lib/services.js';
import { pushImage, fetchImage, hasBlob, RegistryClient } from '../../src/registry/index.js';
import { smallImage } from './helpers.js';
import { clientFor, testRegistries, uniqueRepo } from './itg.js';

const STATE = process.env.PIPELINE_TEST_STATE ?? '/var/lib/pipeline-test';

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  assert.ok(isRegistryError(e), `expected a RegistryError, got ${String(e)}`);
  return e as RegistryError;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

if (needs(test, 'registry')) {
  const [anon, basic, token] = testRegistries();

  for (const reg of [basic, token]) {
    test(`${reg.name}: bad credentials → exit 2, names the registry, never shows the password`, async () => {
      const client = clientFor(reg.host, { username: 'pipeline', password: 'Wrong-Pass-7731' });
      const { image } = await smallImage(1);
      const e = await failure(pushImage(client, image, parseReference(`${reg.host}/${uniqueRepo('auth')}:x`)));
      assert.is(e.exitCode, 2);
      assert.is(e.status, 401);
      assert.is(e.registry, reg.host);
      assert.match(e.message, reg.host);
      assert.match(e.hint ?? '', `docker login ${reg.host}`);
      const shown = `${e.format()} ${JSON.stringify(e)} ${String(e.cause ?? '')}`;
      assert.not.match(shown, 'Wrong-Pass-7731');
      assert.not.match(shown, Buffer.from('pipeline:Wrong-Pass-7731').toString('base64'));
    });
  }

  test('token: anonymous push to a private repository → 401 with the credentials hint', async () => {
    const e = await failure(pushImage(clientFor(token.host), (await smallImage(1)).image, parseReference(`${token.host}/${uniqueRepo('private')}:x`)));
    assert.is(e.status, 401);
    assert.match(e.hint ?? '', 'PIPELINE_REGISTRY_USERNAME');
  });

  test('token: a pull-only grant (readonly/…) → insufficient scope, "lacks push access", nothing written', async () => {
    const client = clientFor(token.host, token.creds);
    const repo = uniqueRepo('readonly');
    const e = await failure(pushImage(client, (await smallImage(1)).image, parseReference(`${token.host}/${repo}:x`)));
    assert.is(e.exitCode, 2);
    assert.is(e.code, 'INSUFFICIENT_SCOPE');
    assert.match(e.hint ?? '', `the account lacks push access to ${repo}`);
  });

  test('unknown registry (closed port) → fast, clear, not retried', async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const t0 = Date.now();
    const e = await failure(fetchImage(clientFor(host), parseReference(`${host}/x/y:1`)));
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
    assert.is(e.code, 'ECONNREFUSED');
    assert.is(e.exitCode, 2);
    assert.match(e.hint ?? '', `is ${host} reachable?`);
  });

  test('token: a cached token the registry rejects is refreshed once, then the request succeeds', async () => {
    const tokenCache = new Map<string, { token: string; expiresAt: number }>();
    const client = clientFor(token.host, token.creds, { tokenCache });
    const repo = uniqueRepo('refresh');
    const { image, layers } = await smallImage(1);
    await pushImage(client, image, parseReference(`${token.host}/${repo}:x`));
    const before = client.auth.tokenRequests;
    assert.ok(tokenCache.size >= 1);
    // Revoked/expired server-side while our cache still trusts it.
    for (const [k, v] of tokenCache) tokenCache.set(k, { ...v, token: 'eyJhbGciOiJub25lIn0.e30.invalid' });
    assert.ok(await hasBlob(client, repo, layers[0].digest));
    assert.is(client.auth.tokenRequests, before + 1);
  });

  test('token: expires_in is honoured (short TTL token server → a new token after expiry only)', async () => {
    const tokenPort = await freePort();
    const regPort = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'ttl-reg-'));
    const cfg = join(dir, 'config.yml');
    await writeFile(cfg, ['version: 0.1', 'log: {level: warn}', 'storage:', `  filesystem: {rootdirectory: ${dir}/data}`, 'http:', `  addr: 127.0.0.1:${regPort}`, 'auth:', '  token:', `    realm: http://127.0.0.1:${tokenPort}/token`, '    service: pipeline-registry', '    issuer: pipeline-token-server', `    rootcertbundle: ${STATE}/token.crt`, ''].join('\n'));
    const procs: ResultPromise[] = [
      execa(process.execPath, [new URL('../../../../test/services/token-server.mjs', import.meta.url).pathname], { env: { TOKEN_KEY: `${STATE}/token.key`, TOKEN_CERT: `${STATE}/token.crt`, TOKEN_USER: token.creds!.username, TOKEN_PASSWORD: token.creds!.password, TOKEN_PORT: String(tokenPort), TOKEN_TTL: '2' }, reject: false }),
      execa('docker-registry', ['serve', cfg], { reject: false }),
    ];
    try {
      const host = `127.0.0.1:${regPort}`;
      // Both daemons must answer: the registry's challenge and the token server's health check.
      for (let i = 0; i < 100; i++) {
        const reg = await fetch(`http://${host}/v2/`).then((r) => r.status === 401, () => false);
        const tok = await fetch(`http://127.0.0.1:${tokenPort}/healthz`).then((r) => r.ok, () => false);
        if (reg && tok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const client = clientFor(host, token.creds);
      const repo = uniqueRepo('ttl');
      const { image, layers } = await smallImage(1);
      await pushImage(client, image, parseReference(`${host}/${repo}:x`));
      const afterPush = client.auth.tokenRequests;
      assert.ok(await hasBlob(client, repo, layers[0].digest));
      assert.is(client.auth.tokenRequests, afterPush, 'a fresh token is reused');
      await new Promise((r) => setTimeout(r, 2100));
      assert.ok(await hasBlob(client, repo, layers[0].digest));
      assert.is(client.auth.tokenRequests, afterPush + 1, 'an expired token is replaced before use');
    } finally {
      for (const p of procs) p.kill();
      await Promise.all(procs);
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('basic: credentials from a Docker config file (auths) and from explicit logins by registry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dockercfg-'));
    const auth = Buffer.from(`${basic.creds!.username}:${basic.creds!.password}`).toString('base64');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [`https://${basic.host}`]: { auth } } }));
    const { image } = await smallImage(1);
    const viaConfig = new RegistryClient(basic.host, { env: { DOCKER_CONFIG: dir } });
    const r = await pushImage(viaConfig, image, parseReference(`${basic.host}/${uniqueRepo('cfg')}:x`));
    assert.ok(r.uploadedBytes > 0);
    const viaEnv = new RegistryClient(basic.host, { env: { DOCKER_CONFIG: '/nonexistent' }, logins: { [basic.host]: { username: basic.creds!.username, password: basic.creds!.password }, 'other.example': { username: 'x', password: 'y-not-this' } } });
    const r2 = await pushImage(viaEnv, image, parseReference(`${basic.host}/${uniqueRepo('env')}:x`));
    assert.is(r2.digest, r.digest);
    await rm(dir, { recursive: true, force: true });
  });

  test('anon: works without any credentials', async () => {
    void services();
    const r = await pushImage(clientFor(anon.host), (await smallImage(1)).image, parseReference(`${anon.host}/${uniqueRepo('anon')}:x`));
    assert.ok(r.uploadedBytes > 0);
  });
}

test.run();
