import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isRegistryError, parseReference, type RegistryError } from '@pipeline/core';
import { needs } from '../../../../test/lib/services.js';
import { pushImage, listTags, deleteManifest, deleteTag, resolve, getManifest } from '../../src/registry/index.js';
import { smallImage } from './helpers.js';
import { startFaultyProxy } from '../../../../test/lib/faulty-proxy.js';
import { clientFor, testRegistries, uniqueRepo } from './itg.js';

if (needs(test, 'registry')) {
  for (const reg of testRegistries()) {
    test(`${reg.name}: tag list pages through Link with n=2; delete by digest`, async () => {
      const client = clientFor(reg.host, reg.creds);
      const repo = uniqueRepo('tags');
      const ref = parseReference(`${reg.host}/${repo}`);
      const { image } = await smallImage(1);
      const tags = ['a1', 'a2', 'b1', 'b2', 'c1'];
      const r = await pushImage(client, image, ref, { tags });
      // Debian's distribution 2.8 ignores n (and sorts nothing): one page, no Link; every tag still comes back.
      const direct: string[][] = [];
      assert.equal((await listTags(client, repo, { pageSize: 2, onPage: (p) => direct.push(p) })).sort(), tags);
      assert.is(direct.length, 1);
      // The proxy pages the real answer as the spec says (n, last, Link): the client follows every Link.
      const proxy = await startFaultyProxy(reg.host, [], { paginateTags: true });
      try {
        const viaProxy = clientFor(proxy.host, reg.creds);
        const pages: string[][] = [];
        assert.equal(await listTags(viaProxy, repo, { pageSize: 2, onPage: (p) => pages.push(p) }), tags);
        assert.equal(pages, [['a1', 'a2'], ['b1', 'b2'], ['c1']]);
        // (On auth registries the first request is repeated after the 401 challenge.)
        const asked = proxy.requests.filter((r) => r.path.includes('/tags/list')).map((r) => r.path.replace(/^.*\?/, ''));
        assert.equal([...new Set(asked)], ['n=2', 'n=2&last=a2', 'n=2&last=b2']);
      } finally {
        await proxy.close();
      }
      assert.equal(await listTags(client, uniqueRepo('none')), []);

      await deleteManifest(client, { ...ref, tag: undefined, digest: r.digest });
      assert.is(await resolve(client, { ...ref, tag: 'a1' }), undefined);
      const err = await getManifest(client, { ...ref, tag: undefined, digest: r.digest }).catch((e: unknown) => e);
      assert.ok(isRegistryError(err));
      assert.is((err as RegistryError).status, 404);
      assert.is((err as RegistryError).code, 'MANIFEST_UNKNOWN');
    });
  }

  test('deleteTag: distribution 2.8 cannot delete a tag alone: a clear UNSUPPORTED error, the tag stays', async () => {
    const [anon] = testRegistries();
    const client = clientFor(anon.host);
    const repo = uniqueRepo('tags');
    const { image } = await smallImage(1);
    const r = await pushImage(client, image, parseReference(`${anon.host}/${repo}:keep`));
    const err = await deleteTag(client, repo, 'keep').catch((e: unknown) => e);
    assert.ok(isRegistryError(err), String(err));
    assert.is((err as RegistryError).code, 'UNSUPPORTED');
    assert.match((err as RegistryError).hint ?? '', /by digest/);
    assert.is((await resolve(client, parseReference(`${anon.host}/${repo}:keep`)))?.digest, r.digest);
  });
}

test.run();
