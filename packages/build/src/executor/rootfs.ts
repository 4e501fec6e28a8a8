import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { PipelineError, type SourcePosition } from '@pipeline/core';
import type { Image } from '../model/image.js';
import { openLayerTar } from './read-file.js';
import { RootEntryError, RootWriter } from './root-writer.js';

export interface PrivateRoot {
  /** The root directory (mode 0755, as an image's `/`), inside a directory only this user can enter. */
  root: string;
  dispose(): Promise<void>;
  /** For an `exit` handler: removes what is left, synchronously. */
  disposeSync(): void;
}

/**
 * A place to unpack an image: `<mkdtemp 0700>/rootfs`. The root keeps the image's own modes
 * (a RUN as a non-root USER must be able to enter it), while setuid files and the rest stay out
 * of reach of the host's other users.
 */
export async function privateRoot(prefix: string): Promise<PrivateRoot> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const root = join(dir, 'rootfs');
  await mkdir(root, { mode: 0o755 });
  return { root, dispose: () => rm(dir, { recursive: true, force: true }), disposeSync: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface UnpackOptions {
  /** Set owners from the tar headers (only as root). */
  owners?: boolean;
  /** The Dockerfile line that needs the image (FROM, COPY --from), for errors. */
  where?: SourcePosition;
}

const short = (d: string) => d.slice(0, 19); // sha256: and 12 hex digits

/**
 * Unpacks an image's layers into a root directory as a container runtime would see them, applying
 * OCI whiteouts. Every entry lands inside the root whatever its name and the links before it say
 * (RootWriter); devices and fifos are skipped. Used for COPY --from, the chroot executor and
 * structure tests. A layer that cannot be applied is a bad image: exit 2 naming the layer and entry.
 */
export async function unpackImage(image: Image, root: string, opts: UnpackOptions = {}): Promise<void> {
  const writer = new RootWriter(root, !!opts.owners && process.getuid?.() === 0);
  for (const layer of image.layers) {
    try {
      await applyLayer(await openLayerTar(await layer.open()), writer);
    } catch (e) {
      if (!(e instanceof RootEntryError)) throw e;
      throw new PipelineError('usage', `cannot unpack image layer ${short(layer.digest)}: ${e.message}`, {
        position: opts.where,
        hint: 'the image is malformed or hostile: its layer would write outside its own root or link to files it does not have',
      });
    }
  }
}

/** Applies one layer tar to the root, entry by entry, in order. */
async function applyLayer(tarStream: Readable, writer: RootWriter): Promise<void> {
  const written = new Set<string>();
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    const s = stream as unknown as Readable;
    const run = async () => {
      const slash = h.name.replace(/\/+$/, '').lastIndexOf('/');
      const dir = slash < 0 ? '' : h.name.slice(0, slash);
      const base = h.name.replace(/\/+$/, '').slice(slash + 1);
      if (base === '.wh..wh..opq') await writer.opaque(dir, written);
      else if (base.startsWith('.wh.')) await writer.whiteout(h.name, dir, base.slice(4));
      else {
        const meta = { mode: (h.mode ?? 0o644) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: h.mtime };
        const at = await writer.put(h.name, h.type ?? 'file', meta, s, h.linkname ?? undefined);
        if (at) written.add(at);
      }
    };
    // tar-stream moves on once the entry's stream is drained (resume), whether or not we read it.
    run().then(
      () => (s.resume(), next()),
      (e: unknown) => (s.resume(), next(e as Error)),
    );
  });
  await pipeline(tarStream, extract);
}
