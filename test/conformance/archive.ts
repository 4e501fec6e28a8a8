// Small tar archives for ADD cases, made in memory with exact owners and modes (a context file can't
// carry another owner unless the test runs as root; the archive can). ustar, names under 100 bytes.
import { gzipSync } from 'node:zlib';

export interface TarMember {
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  content?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  link?: string;
}

function header(m: TarMember, size: number): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) => h.write(s, off, len, 'utf8');
  const oct = (n: number, off: number, len: number) => put(`${n.toString(8).padStart(len - 1, '0')}\0`, off, len);
  const type = m.type ?? 'file';
  put(type === 'dir' && !m.name.endsWith('/') ? `${m.name}/` : m.name, 0, 100);
  oct(m.mode ?? (type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644), 100, 8);
  oct(m.uid ?? 0, 108, 8);
  oct(m.gid ?? 0, 116, 8);
  oct(size, 124, 12);
  oct(1700000000, 136, 12);
  put({ file: '0', hardlink: '1', symlink: '2', dir: '5' }[type], 156, 1);
  if (m.link) put(m.link, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/** A tar of the members, in order; gzipped when asked. */
export function tarball(members: TarMember[], opts: { gzip?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const body = Buffer.from(m.content ?? '');
    parts.push(header(m, (m.type ?? 'file') === 'file' ? body.length : 0));
    if ((m.type ?? 'file') === 'file' && body.length) parts.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  const tar = Buffer.concat(parts);
  return opts.gzip ? gzipSync(tar) : tar;
}
