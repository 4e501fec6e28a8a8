import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { blobPath } from '../../src/store/blob-store.js';
import type { Layer } from '../../src/model/layer.js';

export interface TarRow {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  uname: string;
  linkname?: string;
  body: string;
}

/** Reads a stored gzip layer back with tar-stream: every header and (small) body. */
export async function readLayer(store: string, layer: Layer): Promise<TarRow[]> {
  const raw = gunzipSync(await readFile(blobPath(store, layer.digest)));
  const rows: TarRow[] = [];
  const ex = tar.extract();
  ex.on('entry', (h, s, next) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: unknown) => chunks.push(c as Buffer));
    s.on('end', () => {
      rows.push({ name: h.name, type: h.type ?? 'file', mode: h.mode ?? 0, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: (h.mtime?.getTime() ?? 0) / 1000, uname: h.uname ?? '', linkname: h.linkname ?? undefined, body: Buffer.concat(chunks).toString('latin1').slice(0, 64) });
      next();
    });
  });
  await new Promise<void>((ok, fail) => {
    ex.on('finish', ok);
    ex.on('error', fail);
    ex.end(raw);
  });
  return rows;
}
