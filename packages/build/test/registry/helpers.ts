// Builds small real images in memory (tar-stream + zlib) for registry tests.
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { pack } from 'tar-stream';
import { sha256 } from '@pipeline/core';
import { emptyImage, appendLayers, MediaType, type Image, type Layer } from '../../src/model/index.js';

export async function tarOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const p = pack();
  for (const [name, body] of Object.entries(files)) p.entry({ name, mtime: new Date(0), mode: 0o644, uid: 0, gid: 0 }, body);
  p.finalize();
  const parts: Buffer[] = [];
  for await (const c of p as unknown as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}

export interface MemLayer extends Layer {
  bytes: Buffer;
  opens: number;
}

/** A gzip layer whose bytes live in memory; `opens` counts how often a push read it. */
export async function memLayer(files: Record<string, string | Buffer>): Promise<MemLayer> {
  const tar = await tarOf(files);
  const bytes = gzipSync(tar);
  const layer: MemLayer = {
    bytes,
    opens: 0,
    digest: sha256(bytes),
    diffId: sha256(tar),
    size: bytes.length,
    mediaType: MediaType.ociLayerGzip,
    async open() {
      layer.opens++;
      // Several pieces, so uploads really stream.
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 64 * 1024) pieces.push(bytes.subarray(i, i + 64 * 1024));
      return Readable.from(pieces);
    },
  };
  return layer;
}

/** An image of `n` layers, unique per call (random content) unless `seed` is given. */
export async function smallImage(n = 2, seed = randomBytes(8).toString('hex'), extraBytes = 0): Promise<{ image: Image; layers: MemLayer[] }> {
  const layers: MemLayer[] = [];
  for (let i = 0; i < n; i++) layers.push(await memLayer({ [`file-${i}.txt`]: `layer ${i} ${seed}\n`, ...(extraBytes ? { [`blob-${i}.bin`]: randomBytes(extraBytes) } : {}) }));
  const image = appendLayers(emptyImage(), layers, layers.map((_, i) => ({ created_by: `layer ${i}`, created: '1970-01-01T00:00:00Z' })));
  return { image: { ...image, config: { ...image.config, created: '1970-01-01T00:00:00Z', config: { Cmd: ['/bin/true'] } } }, layers };
}
