import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseReference } from '@pipeline/core';
import { needs } from '../../../../test/lib/services.js';
import { appendLayers } from '../../src/model/index.js';
import { pushImage, fetchImage, copyBlob, hasBlob } from '../../src/registry/index.js';
import { memLayer, smallImage } from './helpers.js';
import { clientFor, skopeoInspect, skopeoVerify, testRegistries, uniqueRepo } from './itg.js';

if (needs(test, 'registry')) {
  for (const reg of testRegistries()) {
    test(`${reg.name}: app on a base in another repository mounts the base layers, sends only its own`, async () => {
      const client = clientFor(reg.host, reg.creds);
      const baseRepo = uniqueRepo('base');
      const { image: baseImage } = await smallImage(3);
      await pushImage(client, baseImage, parseReference(`${reg.host}/${baseRepo}:1.0`));

      const base = await fetchImage(client, parseReference(`${reg.host}/${baseRepo}:1.0`));
      const app = await memLayer({ 'app/main.js': 'console.log(1)\n' });
      const image = appendLayers(base.image, [app], [{ created_by: 'COPY app /app' }]);
      const appRepo = uniqueRepo('app');
      const ref = parseReference(`${reg.host}/${appRepo}:sha-1`);
      const r = await pushImage(client, image, ref);
      assert.is(r.mountedBlobs, 3);
      assert.is(r.skippedBlobs, 0);
      const configSize = JSON.stringify(image.config).length;
      assert.is(r.uploadedBytes, app.size + configSize, 'only the app layer and the config were sent');
      const inspected = await skopeoInspect(reg.host, `${appRepo}:sha-1`, reg.creds);
      assert.is(inspected.Digest, r.digest);
      assert.is(inspected.Layers.length, 4);
      await skopeoVerify(reg.host, `${appRepo}:sha-1`, reg.creds);
    });
  }

  test('cross-registry: a base in the anonymous registry is streamed into the token registry, no disk', async () => {
    const [anon, , token] = testRegistries();
    const src = clientFor(anon.host);
    const dst = clientFor(token.host, token.creds);
    const baseRepo = uniqueRepo('base');
    const { image: baseImage, layers } = await smallImage(2, undefined, 8192);
    await pushImage(src, baseImage, parseReference(`${anon.host}/${baseRepo}:1`));
    const base = await fetchImage(src, parseReference(`${anon.host}/${baseRepo}:1`));
    const dstRepo = uniqueRepo('app');
    const r = await pushImage(dst, base.image, parseReference(`${token.host}/${dstRepo}:1`));
    assert.is(r.mountedBlobs, 0);
    assert.ok(r.uploadedBytes >= layers[0].size + layers[1].size);
    assert.is(r.digest, base.digest, 'same bytes, same manifest digest');
    await skopeoVerify(token.host, `${dstRepo}:1`, token.creds);

    // copyBlob directly: present → exists; another repo of the same registry → mounted.
    const d = base.image.layers[0];
    const desc = { mediaType: d.mediaType, digest: d.digest, size: d.size };
    const again = await copyBlob(dst, src, parseReference(`${anon.host}/${baseRepo}`), parseReference(`${token.host}/${dstRepo}`), desc);
    assert.equal(again, { how: 'exists', sentBytes: 0 });
    const third = uniqueRepo('copy');
    const mounted = await copyBlob(dst, dst, parseReference(`${token.host}/${dstRepo}`), parseReference(`${token.host}/${third}`), desc);
    assert.equal(mounted, { how: 'mounted', sentBytes: 0 });
    const fourth = uniqueRepo('copy');
    const copied = await copyBlob(dst, src, parseReference(`${anon.host}/${baseRepo}`), parseReference(`${token.host}/${fourth}`), desc);
    assert.equal(copied, { how: 'copied', sentBytes: d.size });
    assert.ok(await hasBlob(dst, fourth, d.digest));
  });
}

test.run();
