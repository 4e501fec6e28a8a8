/**
 * Minimal POSIX tar (ustar + PAX) header encoding. Replaces tar-stream on the write path: measured
 * on 4200 entries / 65 MB, tar-stream's per-entry stream machinery cost ~250 ms of a 320 ms pass.
 */

export type TypeFlag = '0' | '1' | '2' | '5' | 'x';

export interface TarHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: TypeFlag;
  linkname?: string;
}

const OCTAL_MAX = { 8: 0o7777777, 12: 0o77777777777 } as const;

function octal(buf: Buffer, off: number, width: 8 | 12, n: number): void {
  buf.write(`${n.toString(8).padStart(width - 1, '0')}\0`, off, width, 'latin1');
}

const isAscii = (s: string) => /^[\x01-\x7f]*$/.test(s);

/** ustar's name/prefix split, when the name is ASCII and fits. */
function split(name: string): [string, string] | undefined {
  if (!isAscii(name)) return undefined;
  if (name.length <= 100) return ['', name];
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
    if (i > 155) break;
    if (name.length - i - 1 <= 100 && i <= 155 && name.length - i - 1 > 0) return [name.slice(0, i), name.slice(i + 1)];
  }
  return undefined;
}

function block(h: TarHeader, prefix: string, name: string, linkname: string): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode & 0o7777);
  octal(b, 108, 8, Math.min(h.uid, OCTAL_MAX[8]));
  octal(b, 116, 8, Math.min(h.gid, OCTAL_MAX[8]));
  octal(b, 124, 12, Math.min(h.size, OCTAL_MAX[12]));
  octal(b, 136, 12, Math.min(h.mtime, OCTAL_MAX[12]));
  b.write('        ', 148, 8, 'latin1');
  b.write(h.type, 156, 1, 'latin1');
  b.write(linkname, 157, 100, 'utf8');
  b.write('ustar\x0000', 257, 8, 'latin1');
  octal(b, 329, 8, 0);
  octal(b, 337, 8, 0);
  b.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += b[i];
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return b;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

export const padding = (size: number): number => (512 - (size % 512)) % 512;

/** The header block(s) for one entry: a PAX extended header first only when ustar cannot hold it. */
export function encodeHeader(h: TarHeader): Buffer {
  const parts = split(h.name);
  const link = h.linkname ?? '';
  const linkFits = isAscii(link) && link.length <= 100;
  const pax: string[] = [];
  if (!parts) pax.push(paxRecord('path', h.name));
  if (!linkFits) pax.push(paxRecord('linkpath', link));
  if (h.size > OCTAL_MAX[12]) pax.push(paxRecord('size', String(h.size)));
  if (h.uid > OCTAL_MAX[8]) pax.push(paxRecord('uid', String(h.uid)));
  if (h.gid > OCTAL_MAX[8]) pax.push(paxRecord('gid', String(h.gid)));
  const [prefix, name] = parts ?? ['', h.name.replace(/[^\x01-\x7f]/g, '_').slice(-100)];
  const main = block(h, prefix, name, linkFits ? link : link.replace(/[^\x01-\x7f]/g, '_').slice(0, 100));
  if (!pax.length) return main;
  const data = Buffer.from(pax.join(''), 'utf8');
  const ph = block({ name: 'PaxHeader', mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: h.mtime, type: 'x' }, '', 'PaxHeader', '');
  return Buffer.concat([ph, data, Buffer.alloc(padding(data.length)), main]);
}

export const END_OF_ARCHIVE = Buffer.alloc(1024);
