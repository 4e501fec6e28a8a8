import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { Image } from '../model/image.js';
import { openLayerTar } from '../layer/open-tar.js';

export { openLayerTar };

/**
 * Reads one small file from an image, top layer first, stopping at the first layer that has it
 * (or deletes it). Only used for --chown names, so only /etc/passwd-sized files.
 */
export async function readFileFromImage(image: Image, path: string): Promise<string | undefined> {
  const want = path.replace(/^\/+/, '');
  const dir = want.includes('/') ? want.slice(0, want.lastIndexOf('/') + 1) : '';
  const base = want.slice(dir.length);
  for (let i = image.layers.length - 1; i >= 0; i--) {
    let found: string | null | undefined;
    const extract = tar.extract();
    extract.on('entry', (h, stream, next) => {
      const name = h.name.replace(/^\.?\/+/, '');
      if (found === undefined && name === want && h.type === 'file') {
        const chunks: Buffer[] = [];
        stream.on('data', (c: unknown) => chunks.push(c as Buffer));
        stream.on('end', () => {
          found = Buffer.concat(chunks).toString('utf8');
          next();
        });
        return;
      }
      if (found === undefined && (name === `${dir}.wh.${base}` || name === `${dir}.wh..wh..opq`)) found = null;
      stream.on('end', next);
      stream.resume();
    });
    await pipeline(await openLayerTar(await image.layers[i].open()), extract);
    if (found === null) return undefined;
    if (found !== undefined) return found;
  }
  return undefined;
}
