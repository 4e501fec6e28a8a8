// Blobs started while the image is still being built (BlobPusher.prefetch) against the real registry:
// they are there before the push asks, the push only awaits them, and an early attempt that failed
// is retried by the push in full, so its error is never lost.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import { parseReference } from '@pipeline/core';
import { needs } from '../../../../test/lib/services.js';
import { accessLog } from '../../../../test/lib/access-log.js';
import { hasBlob, pushImage } from '../../src/registry/index.js';
import { BlobPusher, type BlobJob } from '../../src/registry/blob-pusher.js';
import { smallImage } from './helpers.js';
import { clientFor, skopeoVerify, testRegistries, uniqueRepo } from './itg.js';

const jobOf = (l: { digest: BlobJob['digest']; size: number; open: () => Promise<Readable> }): BlobJob => ({ digest: l.digest, size: l.size, kind: 'layer', open: () => l.open() });

if (needs(test, 'registry')) {
  const reg = testRegistries().find((r) => r.name === 'anon')!;

  test('prefetched layers are uploaded before the push asks; the push awaits them and sends nothing again', async () => {
    const client = clientFor(reg.host);
    const repo = uniqueRepo('prefetch');
    const { image, layers } = await smallImage(2, undefined, 200_000);
    const pusher = new BlobPusher(client, repo);
    for (const l of layers) pusher.prefetch(jobOf(l));
    for (let i = 0; i < 100 && !(await Promise.all(layers.map((l) => hasBlob(client, repo, l.digest)))).every(Boolean); i++) await new Promise((r) => setTimeout(r, 20));
    for (const l of layers) assert.ok(await hasBlob(client, repo, l.digest), 'there before any push');
    const log = accessLog('anon');
    const r = await pushImage(client, image, parseReference(`${reg.host}/${repo}:v1`), { tags: ['v1'], pusher });
    const sessions = (await log.since()).filter((e) => e.method === 'POST');
    assert.is(sessions.length, 1, `only the config is uploaded by the push itself: ${sessions.map((e) => e.path).join(' ')}`);
    assert.ok(r.uploadedBytes > 400_000, 'early bytes are still counted in the push result');
    await skopeoVerify(reg.host, `${repo}:v1`);
  });

  test('an early attempt that failed is retried by the push in full', async () => {
    const client = clientFor(reg.host, undefined, { retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    const repo = uniqueRepo('prefetch');
    const { image, layers } = await smallImage(1);
    const pusher = new BlobPusher(client, repo);
    let earlyOpens = 0;
    const l = layers[0]!;
    pusher.prefetch({ ...jobOf(l), open: async () => (earlyOpens++, Readable.from((async function* () { yield Buffer.from('half'); throw new Error('disk went away'); })())) });
    const r = await pushImage(client, image, parseReference(`${reg.host}/${repo}:v1`), { tags: ['v1'], pusher });
    assert.is(earlyOpens, 1, 'the early attempt ran and failed');
    assert.ok(r.uploadedBytes >= l.size, 'the push sent the layer itself');
    assert.ok(await hasBlob(client, repo, l.digest));
    assert.equal(r.tags, ['v1']);
    await skopeoVerify(reg.host, `${repo}:v1`);
  });
}

test.run();
