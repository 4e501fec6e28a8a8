import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buffer } from 'node:stream/consumers';
import { isRegistryError, parseReference, sha256, type RegistryError } from '@pipeline/core';
import { needs } from '../../../../test/lib/services.js';
import { startFaultyProxy, type FaultRule, type FaultyProxy } from '../../../../test/lib/faulty-proxy.js';
import { pushImage, getBlob, hasBlob, resolve, listTags, type RegistryClientOptions } from '../../src/registry/index.js';
import { smallImage } from './helpers.js';
import { clientFor, skopeoVerify, testRegistries, uniqueRepo, type TestRegistry } from './itg.js';

async function viaProxy<T>(reg: TestRegistry, rules: FaultRule[], opts: RegistryClientOptions, fn: (p: FaultyProxy, c: ReturnType<typeof clientFor>) => Promise<T>): Promise<T> {
  const proxy = await startFaultyProxy(reg.host, rules);
  try {
    return await fn(proxy, clientFor(proxy.host, reg.creds, opts));
  } finally {
    await proxy.close();
  }
}

const faults = (p: FaultyProxy): string[] => p.requests.filter((r) => r.fault).map((r) => `${r.fault} ${r.method}`);

if (needs(test, 'registry')) {
  const [anon, basic] = testRegistries();

  for (const reg of [anon, basic]) {
    test(`${reg.name}: resets, 500s and a 429 with Retry-After are retried; the image verifies with skopeo`, async () => {
      const repo = uniqueRepo('faults');
      const { image } = await smallImage(2, undefined, 2048);
      const rules: FaultRule[] = [
        { method: 'HEAD', path: /\/blobs\//, nth: [2], fault: { kind: 'reset' } },
        { method: 'POST', path: /\/blobs\/uploads\/$/, nth: [1], fault: { kind: 'status', status: 503 } },
        { method: 'PUT', path: /\/blobs\/uploads\//, nth: [1], fault: { kind: 'reset' } },
        { method: 'PUT', path: /\/manifests\//, nth: [1], fault: { kind: 'status', status: 500 } },
        { method: 'GET', path: /\/tags\/list/, nth: [1], fault: { kind: 'status', status: 429, retryAfter: 1 } },
      ];
      await viaProxy(reg, rules, {}, async (proxy, client) => {
        const r = await pushImage(client, image, parseReference(`${proxy.host}/${repo}:ok`));
        const t0 = Date.now();
        assert.equal(await listTags(client, repo), ['ok']);
        assert.ok(Date.now() - t0 >= 900, 'waited for Retry-After');
        assert.equal(faults(proxy).sort(), ['reset HEAD', 'reset PUT', 'status GET', 'status POST', 'status PUT']);
        // Read back from the registry itself, not through the proxy.
        await skopeoVerify(reg.host, `${repo}:ok`, reg.creds);
        assert.is((await resolve(clientFor(reg.host, reg.creds), parseReference(`${reg.host}/${repo}:ok`)))?.digest, r.digest);
      });
    });
  }

  test('anon: a manifest PUT answered 400 MANIFEST_BLOB_UNKNOWN after every blob was confirmed (the registry still linking one) is retried', async () => {
    const repo = uniqueRepo('faults-link');
    const { image } = await smallImage(1, undefined, 1024);
    const rules: FaultRule[] = [{ method: 'PUT', path: /\/manifests\//, nth: [1], fault: { kind: 'status', status: 400, code: 'MANIFEST_BLOB_UNKNOWN' } }];
    await viaProxy(anon, rules, {}, async (proxy, client) => {
      const r = await pushImage(client, image, parseReference(`${proxy.host}/${repo}:ok`));
      assert.equal(faults(proxy), ['status PUT']);
      assert.is((await resolve(clientFor(anon.host, anon.creds), parseReference(`${anon.host}/${repo}:ok`)))?.digest, r.digest);
    });
  });

  test('anon: a chunk lost before reaching the registry resumes at the registry offset (GET upload status)', async () => {
    const repo = uniqueRepo('resume');
    const { image, layers } = await smallImage(1, undefined, 400 * 1024);
    const size = layers[0].size;
    const rules: FaultRule[] = [{ method: 'PATCH', nth: [3], fault: { kind: 'reset' } }];
    await viaProxy(anon, rules, { chunkSize: 64 * 1024 }, async (proxy, client) => {
      const r = await pushImage(client, image, parseReference(`${proxy.host}/${repo}:ok`));
      assert.ok(proxy.requests.some((q) => q.method === 'GET' && q.path.includes('/blobs/uploads/')), 'asked the registry for the upload offset');
      assert.is(proxy.requests.filter((q) => q.method === 'POST').length, 2, 'one upload session per blob: resumed, not restarted');
      assert.ok(r.uploadedBytes <= size + 64 * 1024 + 1024, `sent ${r.uploadedBytes} for a ${size}-byte blob: at most one chunk resent`);
      assert.is(layers[0].opens, 1);
      await skopeoVerify(anon.host, `${repo}:ok`);
    });
  });

  test('anon: a chunk cut mid-body invalidates the session (distribution 2.8), so the blob restarts and completes', async () => {
    const repo = uniqueRepo('restart');
    const { image, layers } = await smallImage(1, undefined, 400 * 1024);
    const rules: FaultRule[] = [{ method: 'PATCH', nth: [3], fault: { kind: 'drop-upload', afterBytes: 30_000 } }];
    await viaProxy(anon, rules, { chunkSize: 64 * 1024 }, async (proxy, client) => {
      const r = await pushImage(client, image, parseReference(`${proxy.host}/${repo}:ok`));
      assert.ok(r.uploadedBytes > layers[0].size);
      assert.is(layers[0].opens, 2, 'the layer was reopened for the fresh session');
      assert.ok(proxy.requests.filter((q) => q.method === 'POST').length >= 3);
      await skopeoVerify(anon.host, `${repo}:ok`);
    });
  });

  test('anon: a monolithic upload dropped mid-body restarts and completes', async () => {
    const repo = uniqueRepo('restart');
    const { image, layers } = await smallImage(1, undefined, 100 * 1024);
    const rules: FaultRule[] = [{ method: 'PUT', path: new RegExp(layers[0].digest.slice(7)), nth: [1], fault: { kind: 'drop-upload', afterBytes: 20_000 } }];
    await viaProxy(anon, rules, {}, async (proxy, client) => {
      const r = await pushImage(client, image, parseReference(`${proxy.host}/${repo}:ok`));
      assert.ok(r.uploadedBytes >= layers[0].size + 20_000);
      assert.is(layers[0].opens, 2, 'the layer was reopened for the second attempt');
      await skopeoVerify(anon.host, `${repo}:ok`);
    });
  });

  test('anon: blob downloads survive a cut connection (Range resume) and a stalled body (idle timeout), digest checked', async () => {
    const repo = uniqueRepo('download');
    const { image, layers } = await smallImage(1, undefined, 200 * 1024);
    await pushImage(clientFor(anon.host), image, parseReference(`${anon.host}/${repo}:ok`));
    const rules: FaultRule[] = [
      { method: 'GET', path: /\/blobs\/sha256/, nth: [1], fault: { kind: 'cut-response', afterBytes: 50_000 } },
      { method: 'GET', path: /\/blobs\/sha256/, nth: [2], fault: { kind: 'slow-body', delayMs: 800 } },
    ];
    await viaProxy(anon, rules, { timeoutMs: 400 }, async (proxy, client) => {
      const bytes = await buffer(getBlob(client, repo, layers[0]));
      assert.is(sha256(bytes), layers[0].digest);
      const gets = proxy.requests.filter((q) => q.method === 'GET');
      assert.ok(gets.length >= 3, `GETs: ${gets.map((g) => g.fault).join(',')}`);
    });
  });

  test('basic: a blob GET redirected to another host (storage) is followed without the Authorization header', async () => {
    // The "storage backend" is a second proxy in front of the anonymous registry holding the same blob.
    const repo = uniqueRepo('redirect');
    const { image, layers } = await smallImage(1, undefined, 4096);
    await pushImage(clientFor(anon.host), image, parseReference(`${anon.host}/${repo}:x`));
    await pushImage(clientFor(basic.host, basic.creds), image, parseReference(`${basic.host}/${repo}:x`));
    const storage = await startFaultyProxy(anon.host);
    try {
      const rules: FaultRule[] = [{ method: 'GET', path: /\/blobs\/sha256:/, fault: { kind: 'redirect', to: storage.host } }];
      await viaProxy(basic, rules, {}, async (proxy, client) => {
        assert.ok(await hasBlob(client, repo, layers[0].digest), 'HEAD learns the Basic challenge');
        const bytes = await buffer(getBlob(client, repo, layers[0]));
        assert.is(sha256(bytes), layers[0].digest);
        assert.ok(proxy.requests.some((q) => q.fault === 'redirect' && q.authorization), 'the registry got the credentials');
        assert.is(storage.requests.length, 1);
        assert.not.ok(storage.requests[0].authorization, 'the storage host never saw them');
      });
    } finally {
      await storage.close();
    }
  });

  // Tags are all or nothing as far as a registry allows: a tag whose PUT keeps failing undoes the ones
  // written before it (moved tags go back to their old manifest) and the error says what each points at.
  test('anon: a 500 on the second tag\'s PUT (once) is retried: every tag is written', async () => {
    const repo = uniqueRepo('tags500');
    const { image } = await smallImage(1);
    const rules: FaultRule[] = [{ method: 'PUT', path: /\/manifests\/b$/, nth: [1], fault: { kind: 'status', status: 500 } }];
    await viaProxy(anon, rules, { retry: { attempts: 3, baseMs: 10, maxMs: 50 } }, async (proxy, client) => {
      const r = await pushImage(client, image, parseReference(`${proxy.host}/${repo}`), { tags: ['a', 'b', 'c'] });
      assert.equal(r.tags, ['a', 'b', 'c']);
      assert.equal(faults(proxy), ['status PUT']);
    });
    assert.equal((await listTags(clientFor(anon.host), repo)).sort(), ['a', 'b', 'c']);
  });

  test('anon: a tag whose PUT keeps failing: moved tags go back, new ones are named; exit 1 and exactly which tags exist', async () => {
    const repo = uniqueRepo('tagsundo');
    const direct = clientFor(anon.host);
    const ref = parseReference(`${anon.host}/${repo}`);
    const v1 = await pushImage(direct, (await smallImage(1)).image, ref, { tags: ['stable', 'latest'] });
    const { image } = await smallImage(1);
    const rules: FaultRule[] = [{ method: 'PUT', path: /\/manifests\/latest$/, fault: { kind: 'status', status: 500 } }];
    await viaProxy(anon, rules, { retry: { attempts: 3, baseMs: 10, maxMs: 50 } }, async (proxy, client) => {
      const e = await pushImage(client, image, parseReference(`${proxy.host}/${repo}`), { tags: ['2.0', 'stable', 'latest'] }).catch((x: unknown) => x);
      assert.ok(isRegistryError(e), String(e));
      assert.is((e as RegistryError).exitCode, 1);
      const msg = (e as RegistryError).message;
      assert.match(msg, /writing tag .*:latest failed/);
      // New tags are written first, moving ones last; stable had moved and was put back. Distribution
      // deletes tags only with their manifest, so the new tag 2.0 stays – and the message says so.
      const pushed = (await resolve(direct, { ...ref, tag: '2.0' }))?.digest;
      assert.match(msg, /could not undo 2\.0/);
      assert.match(msg, new RegExp(`tags now: 2\\.0 → ${pushed}, stable → ${v1.digest}, latest → ${v1.digest}`));
      assert.is(proxy.requests.filter((q) => q.fault).length, 3, 'the failing PUT was tried three times');
    });
    assert.is((await resolve(direct, { ...ref, tag: 'stable' }))?.digest, v1.digest, 'stable points where it did before the push');
    assert.is((await resolve(direct, { ...ref, tag: 'latest' }))?.digest, v1.digest);
  });

  test('anon: when retries run out the push fails cleanly: temporary error, exit 1, no tag written', async () => {
    const repo = uniqueRepo('fail');
    const { image } = await smallImage(1);
    const rules: FaultRule[] = [{ method: 'PUT', path: /\/blobs\/uploads\//, fault: { kind: 'reset' } }];
    await viaProxy(anon, rules, { retry: { attempts: 3, baseMs: 10, maxMs: 50 } }, async (proxy, client) => {
      const e = await pushImage(client, image, parseReference(`${proxy.host}/${repo}:never`)).catch((x: unknown) => x);
      assert.ok(isRegistryError(e), String(e));
      assert.ok((e as RegistryError).temporary);
      assert.is((e as RegistryError).exitCode, 1);
      assert.ok(proxy.requests.filter((q) => q.fault === 'reset').length >= 3);
      assert.not.ok(proxy.requests.some((q) => q.method === 'PUT' && q.path.includes('/manifests/')), 'no manifest was ever sent');
    });
    assert.equal(await listTags(clientFor(anon.host), repo), []);
  });
}

test.run();
