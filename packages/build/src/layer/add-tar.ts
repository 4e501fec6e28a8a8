import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import { ContextError, type SourcePosition } from '@pipeline/core';
import { noIgnore } from '../context/dockerignore.js';
import { resolveSource } from '../context/resolve.js';
import { hasGlob } from '../context/go-match.js';
import type { LayerEntry } from './entries.js';
import { destination, toPosition, type CopyCommon, type CopyResult } from './copy.js';
import { writeLayerCached } from './cached.js';
import type { Ignore } from '../context/dockerignore.js';

export type ArchiveKind = 'tar' | 'gzip' | 'bzip2' | 'xz' | undefined;

/** Recognizes an archive by its first bytes, as Docker's ADD does (never by its name). */
export async function archiveKind(file: string): Promise<ArchiveKind> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(512);
    const { bytesRead } = await fh.read(b, 0, 512, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead >= 3 && b.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
    if (bytesRead >= 6 && b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
    if (bytesRead === 512 && b.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
    return undefined;
  } finally {
    await fh.close();
  }
}

/** Whether an ADD source (relative to the context) is a local archive ADD would extract. */
export async function isTarArchive(context: string, source: string, ignore: Ignore = noIgnore): Promise<boolean> {
  if (hasGlob(source)) return false;
  try {
    const [r] = await resolveSource(context, source, { ignore });
    return r.type === 'file' && (await archiveKind(r.abs)) !== undefined;
  } catch {
    return false;
  }
}

const TOOLS = { xz: { cmd: 'xz', pkg: 'xz-utils' }, bzip2: { cmd: 'bzip2', pkg: 'bzip2' } } as const;

/**
 * xz and bzip2 have no well-kept Node library; Debian's own decompressors do it, streaming
 * (`xz -dc`, `bzip2 -dc`), and a missing one is named with its package.
 */
async function throughTool(kind: 'xz' | 'bzip2', open: () => Readable, out: NodeJS.WritableStream, source: string, where?: SourcePosition): Promise<void> {
  const { cmd, pkg } = TOOLS[kind];
  const { execa } = await import('execa');
  const child = execa(cmd, ['-dc'], { buffer: { stdout: false, stderr: true }, stripFinalNewline: true, reject: false });
  try {
    // Opened only now, with its consumer attached in the same tick: a flowing stream opened
    // before the await above lost its first chunks.
    await Promise.all([pipeline(open(), child.stdin!), pipeline(child.stdout!, out)]);
  } catch (e) {
    child.kill();
    const r = await child;
    if ((r as { code?: string }).code === 'ENOENT') throw new ContextError(`ADD ${source}: Expected \`${cmd}\` to extract this ${kind} archive, but it is not installed`, where, `apt-get install ${pkg}, or recompress the archive with gzip`);
    throw new ContextError(`ADD ${source}: Expected a readable ${kind} tar archive, got an error: ${String(r.stderr || (e as Error).message).trim()}`, where);
  }
  const r = await child;
  if (r.exitCode !== 0) throw new ContextError(`ADD ${source}: Expected a readable ${kind} tar archive, got an error from ${cmd}: ${String(r.stderr).trim()}`, where);
}

export interface AddTarOptions extends CopyCommon {
  context: string;
  source: string;
  ignore?: Ignore;
}

/** Keeps an archive member inside dest: no absolute paths, no `..`. */
function memberPath(name: string): string | undefined {
  const parts: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') return undefined;
    parts.push(c);
  }
  return parts.join('/');
}

/**
 * `ADD archive.tar[.gz] /dir`: the archive's members, re-normalized (epoch mtimes, sorted,
 * owner from the archive unless --chown), become the layer under dir. Member contents are
 * spooled to a temp dir so memory stays bounded. gzip in-process; xz and bzip2 through Debian's tools.
 */
export async function addTarToLayer(o: AddTarOptions): Promise<CopyResult> {
  const where = toPosition(o.where);
  const [src] = await resolveSource(o.context, o.source, { ignore: o.ignore ?? noIgnore, where });
  const kind = await archiveKind(src.abs);
  if (!kind) throw new ContextError(`ADD ${o.source}: Expected a tar archive, got a file that is not one`, where);
  const dest = destination(o.dest.endsWith('/') ? o.dest : `${o.dest}/`, o.workdir);
  const spool = await mkdtemp(join(tmpdir(), 'pipeline-add-'));
  const entries: LayerEntry[] = [];
  const archiveHash = createHash('sha256');
  try {
    const extract = tar.extract();
    let n = 0;
    extract.on('entry', (h, stream, next) => {
      const s = stream as unknown as Readable;
      const rel = memberPath(h.name);
      const own = { uid: o.owner?.uid ?? h.uid ?? 0, gid: o.owner?.gid ?? h.gid ?? 0, mode: (h.mode ?? 0o644) & 0o7777, chmod: o.chmod };
      const path = rel === undefined ? undefined : posix.join(dest.path, rel);
      const skip = () => (s.resume(), s.once('end', () => next()));
      if (path === undefined) return skip();
      if (h.type === 'directory') entries.push({ path, source: { kind: 'dir' }, ...own });
      else if (h.type === 'symlink') entries.push({ path, source: { kind: 'symlink', target: h.linkname ?? '' }, ...own });
      else if (h.type === 'link') {
        const t = memberPath(h.linkname ?? '');
        if (t !== undefined) entries.push({ path, source: { kind: 'hardlink', target: posix.join(dest.path, t) }, ...own });
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        const file = join(spool, String(n++));
        entries.push({ path, source: { kind: 'file', path: file, size: h.size ?? 0 }, ...own });
        pipeline(s, createWriteStream(file)).then(() => next(), next);
        return;
      }
      skip();
    });
    const open = () => {
      const input = createReadStream(src.abs);
      input.on('data', (c) => archiveHash.update(c));
      return input;
    };
    if (kind === 'gzip') await pipeline(open(), createGunzip(), extract);
    else if (kind === 'tar') await pipeline(open(), extract);
    else await throughTool(kind, open, extract, o.source, where);
    return await writeLayerCached(entries, {
      store: o.store,
      epoch: o.epoch,
      compressionLevel: o.compressionLevel,
      onProgress: o.onProgress,
      cacheDir: o.cacheDir,
      preserveModes: true,
      keyExtra: `add-tar:${archiveHash.digest('hex')}`,
    });
  } catch (e) {
    if (e instanceof ContextError) throw e;
    throw new ContextError(`ADD ${o.source}: Expected a readable tar archive, got an error: ${(e as Error).message}`, where);
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
}
