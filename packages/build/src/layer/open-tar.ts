import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable } from 'node:stream';

/** Yields the layer's tar stream, unpacking gzip when the bytes say so (media types lie in archives). */
export async function openLayerTar(raw: Readable): Promise<Readable> {
  const out = new PassThrough();
  const gunzip = createGunzip();
  const first: Buffer | null = await new Promise((resolve) => {
    const onReadable = () => {
      const c = raw.read(2) as Buffer | null;
      if (c !== null || raw.readableEnded) {
        raw.off('readable', onReadable);
        resolve(c);
      }
    };
    raw.on('readable', onReadable);
    raw.once('end', () => resolve(null));
  });
  if (first) raw.unshift(first);
  const sniffed = !!first && first[0] === 0x1f && first[1] === 0x8b;
  if (sniffed) pipeline(raw, gunzip, out).catch((e) => out.destroy(e));
  else pipeline(raw, out).catch((e) => out.destroy(e));
  return out;
}
