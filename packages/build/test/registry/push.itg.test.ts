import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buffer } from 'node:stream/consumers';
import { parseReference, sha256 } from '@pipeline/core';
import { needs } from '../../../../test/lib/services.js';
import { pushImage, fetchImage, getManifest, resolve, hasBlob } from '../../src/registry/index.js';
import { smallImage } from './helpers.js';
import { clientFor, skopeoInspect, skopeoVerify, testRegistries, uniqueRepo } from './itg.js';

if (needs(test, 'registry')) {
  for (const reg of testRegistries()) {
    test(`${reg.name}: push, read back (client + skopeo), second push sends 0 bytes`, async () => {
      const client = clientFor(reg.host, reg.creds);
      const repo = uniqueRepo('push');
      const ref = parseReference(`${reg.host}/${repo}:v1`);
      const { image, layers } = await smallImage(2, undefined, 4096);
      const first = await pushImage(client, image, ref, { tags: ['v1', 'latest'] });
      const blobBytes = layers.reduce((n, l) => n + l.size, 0);
      assert.ok(first.uploadedBytes > blobBytes, `sent ${first.uploadedBytes}, layers alone are ${blobBytes}`);
      assert.is(first.skippedBlobs, 0);
      assert.equal(first.tags, ['v1', 'latest']);

      const inspected = await skopeoInspect(reg.host, `${repo}:v1`, reg.creds);
      assert.is(inspected.Digest, first.digest);
      assert.equal(inspected.Layers, layers.map((l) => l.digest));
      await skopeoVerify(reg.host, `${repo}:latest`, reg.creds);

      const fetched = await fetchImage(client, ref);
      assert.is(fetched.digest, first.digest);
      assert.equal(fetched.image.config.rootfs.diff_ids, layers.map((l) => l.diffId));
      assert.equal(fetched.image.layers[1].location, { registry: reg.host, repository: repo });
      const bytes = await buffer(await fetched.image.layers[1].open());
      assert.is(sha256(bytes), layers[1].digest);

      const byDigest = await getManifest(client, { ...ref, tag: undefined, digest: first.digest });
      assert.is(byDigest.digest, first.digest);
      const head = await resolve(client, ref);
      assert.equal(head, { digest: first.digest, mediaType: first.mediaType, size: byDigest.bytes.length });

      const opensBefore = layers.map((l) => l.opens);
      const seen: string[] = [];
      const second = await pushImage(client, image, ref, { tags: ['v1'], onProgress: (p) => seen.push(`${p.kind}:${p.status}`) });
      assert.equal(seen.sort(), ['config:exists', 'layer:exists', 'layer:exists']);
      assert.is(second.uploadedBytes, 0);
      assert.is(second.skippedBlobs, 3);
      assert.is(second.digest, first.digest);
      assert.equal(layers.map((l) => l.opens), opensBefore, 'no layer was opened on the second push');
    });

    test(`${reg.name}: chunked upload of a blob larger than the chunk size, docker flavor`, async () => {
      const client = clientFor(reg.host, reg.creds, { chunkSize: 64 * 1024 });
      const repo = uniqueRepo('chunked');
      const ref = parseReference(`${reg.host}/${repo}:big`);
      const { image, layers } = await smallImage(1, undefined, 300 * 1024);
      assert.ok(layers[0].size > 4 * 64 * 1024, `layer is ${layers[0].size} bytes`);
      const r = await pushImage(client, image, ref, { flavor: 'docker' });
      assert.ok(await hasBlob(client, repo, layers[0].digest));
      const m = await getManifest(client, ref);
      assert.is(m.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
      assert.is(m.digest, r.digest);
      await skopeoVerify(reg.host, `${repo}:big`, reg.creds);
      const back = await buffer(await (await fetchImage(client, ref)).image.layers[0].open());
      assert.ok(back.equals(layers[0].bytes), 'the chunked blob reads back byte for byte');
      assert.ok(r.uploadedBytes >= layers[0].size);
    });
  }
}

test.run();
