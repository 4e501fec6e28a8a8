import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ContextError, type SourcePosition } from '@pipeline/core';

/** How an ADD source is compressed, by its first bytes (`tar`: not at all). */
export type ArchiveKind = 'tar' | 'gzip' | 'bzip2' | 'xz';

/** Recognizes a compression by its first bytes, as Docker's ADD does (never by the name). */
export async function archiveKind(file: string): Promise<ArchiveKind> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(512);
    const { bytesRead } = await fh.read(b, 0, 512, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead >= 3 && b.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
    if (bytesRead >= 6 && b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
    return 'tar';
  } finally {
    await fh.close();
  }
}

const TOOLS = { xz: { cmd: 'xz', pkg: 'xz-utils' }, bzip2: { cmd: 'bzip2', pkg: 'bzip2' } } as const;

/** The decompressed bytes of an archive as a stream (xz and bzip2 through Debian's own tools). */
export async function decompressed(file: string, kind: ArchiveKind, source: string, where?: SourcePosition): Promise<{ stream: Readable; done: () => Promise<void> }> {
  const input = createReadStream(file);
  if (kind === 'tar') return { stream: input, done: async () => {} };
  if (kind === 'gzip') {
    const gunzip = createGunzip();
    const running = pipeline(input, gunzip);
    running.catch(() => {}); // its error also destroys gunzip, which the reader sees
    return { stream: gunzip, done: () => running };
  }
  const { cmd, pkg } = TOOLS[kind];
  const { execa } = await import('execa');
  const child = execa(cmd, ['-dc'], { buffer: { stdout: false, stderr: true }, stripFinalNewline: true, reject: false });
  const feeding = pipeline(input, child.stdin!).catch(() => {});
  return {
    stream: child.stdout!,
    done: async () => {
      await feeding;
      const r = await child;
      if ((r as { code?: string }).code === 'ENOENT') throw new ContextError(`ADD ${source}: Expected \`${cmd}\` to extract this ${kind} archive, but it is not installed`, where, `apt-get install ${pkg}, or recompress the archive with gzip`);
      if (r.exitCode !== 0) throw new ContextError(`ADD ${source}: Expected a readable ${kind} tar archive, got an error from ${cmd}: ${String(r.stderr).trim()}`, where);
    },
  };
}

/** A tar header block whose checksum holds (what Go's archive/tar asks of a first header). */
function isTarHeader(b: Buffer | undefined): boolean {
  if (!b || b.length < 512) return false;
  const stored = parseInt(b.subarray(148, 156).toString('latin1').replace(/[^0-7]/g, ''), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : b[i];
  return sum > 256 && stored === sum;
}

/**
 * Whether ADD unpacks this file: its bytes, decompressed, start with a valid tar header (BuildKit's
 * isArchivePath). Anything else – a gzip of JSON, text named .tar – is copied as it is.
 */
export async function isTarArchive(file: string): Promise<boolean> {
  const kind = await archiveKind(file);
  const d = await decompressed(file, kind, file).catch(() => undefined);
  if (!d) return false;
  const first = await new Promise<Buffer | undefined>((resolve) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const finish = () => resolve(chunks.length ? Buffer.concat(chunks) : undefined);
    d.stream.on('data', (c: Buffer) => {
      chunks.push(c);
      n += c.length;
      if (n >= 512) {
        d.stream.destroy();
        finish();
      }
    });
    d.stream.once('end', finish);
    d.stream.once('error', finish);
    d.stream.once('close', finish);
  });
  d.done().catch(() => {});
  return isTarHeader(first);
}
