// A docker-archive pipeline wrote is a FROM source again: small layers (stored under
// blobs/sha256/, like the config) used to be taken for JSON and reported missing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage } from '../../src/build.js';
import { writeDockerArchive } from '../../src/outputs/docker-archive.js';

test('an image written as docker-archive builds FROM docker-archive:FILE, small layers included', async () => {
  const d = await mkdtemp(join(tmpdir(), 'da-rt-'));
  const cacheDir = join(d, 'cache');
  await writeFile(join(d, 'f.txt'), 'hi\n');
  await writeFile(join(d, 'Dockerfile'), 'FROM scratch\nCOPY f.txt /f.txt\n');
  const a = await buildImage({ context: d, cacheDir, epoch: 0 });
  await writeDockerArchive(a.image, join(d, 'a.tar'), { localStore: a.store });
  await writeFile(join(d, 'g.txt'), 'g\n');
  await writeFile(join(d, 'Dockerfile.b'), `FROM docker-archive:${join(d, 'a.tar')}\nCOPY g.txt /g.txt\n`);
  const b = await buildImage({ context: d, file: join(d, 'Dockerfile.b'), cacheDir: join(d, 'cache-b'), epoch: 0 });
  assert.equal(b.image.layers.map((l) => l.digest).slice(0, 1), a.image.layers.map((l) => l.digest));
  assert.is(b.image.layers.length, 2);
  assert.equal(b.image.config.rootfs.diff_ids.slice(0, 1), a.image.config.rootfs.diff_ids);
});

test.run();
