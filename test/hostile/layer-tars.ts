// Hostile image layers, as a table: each case is one or more layer tars (built here, never read
// from disk) that try to write outside the image root, read host files into it, or break the
// unpacker. Used by the unit test of unpackImage (packages/build/test/executor/unpack-hostile.test.ts)
// and by the end-to-end routes (test/hostile/layer-escape.itg.test.ts): a stage that ADDs them,
// a registry image, and a FROM base under both RUN executors.
//
// `host.sentinel` is a host directory the links aim at (it holds `victim`), `host.secret` a host
// file whose content must never show up inside an image.
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import tar from 'tar-stream';

export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  body?: string;
  devmajor?: number;
  devminor?: number;
}

export interface Host {
  /** Absolute host directory the links point at; holds `victim` (content `victim`). */
  sentinel: string;
  /** Absolute host file with a random token, outside every image. */
  secret: string;
  token: string;
}

/** What the unpacked root must hold: file content, 'dir', 'absent', a symlink target, or a mode. */
export type Expect = string | 'dir' | 'absent' | { link: string } | { mode: number };

export interface HostileCase {
  name: string;
  attack: string;
  layers(h: Host): TarEntry[][];
  /** Refused with a message matching this, or unpacked with these paths (relative to the root). */
  expect: (h: Host) => { refused: RegExp } | { inside: Record<string, Expect> };
}

const rel = (abs: string) => abs.replace(/^\/+/, '');
const dir = (name: string, mode = 0o755): TarEntry => ({ name, type: 'directory', mode });
const file = (name: string, body: string, mode = 0o644): TarEntry => ({ name, type: 'file', body, mode });
const sym = (name: string, linkname: string): TarEntry => ({ name, type: 'symlink', linkname, mode: 0o777 });
const hard = (name: string, linkname: string): TarEntry => ({ name, type: 'link', linkname, mode: 0o644 });

export const HOSTILE_CASES: HostileCase[] = [
  {
    name: 'absolute-link-escape',
    attack: 'esc -> /host/dir, then esc/file',
    layers: (h) => [[sym('esc', h.sentinel), file('esc/file', 'pwned')]],
    expect: (h) => ({ inside: { [`${rel(h.sentinel)}/file`]: 'pwned', esc: { link: h.sentinel } } }),
  },
  {
    name: 'relative-link-escape',
    attack: 'esc -> ../../../../../../host/dir, then esc/file',
    layers: (h) => [[sym('esc', `${'../'.repeat(12)}${rel(h.sentinel)}`), file('esc/file', 'pwned')]],
    expect: (h) => ({ inside: { [`${rel(h.sentinel)}/file`]: 'pwned' } }),
  },
  {
    name: 'nested-dotdot-link',
    attack: 'd/up -> ../.. climbs from a subdirectory, then d/up/host/dir/file',
    layers: (h) => [[dir('d'), sym('d/up', '../..'), file(`d/up/${rel(h.sentinel)}/file`, 'pwned')]],
    expect: (h) => ({ inside: { [`${rel(h.sentinel)}/file`]: 'pwned' } }),
  },
  {
    name: 'link-chain-escape',
    attack: 'a -> /b, b -> /host/dir (a chain of absolute links), then a/file',
    layers: (h) => [[sym('a', '/b'), sym('b', h.sentinel), file('a/file', 'pwned')]],
    expect: (h) => ({ inside: { [`${rel(h.sentinel)}/file`]: 'pwned', a: { link: '/b' } } }),
  },
  {
    name: 'hardlink-leak',
    attack: 'hostroot -> /, then a hard link leak -> hostroot/<host secret>',
    layers: (h) => [[sym('hostroot', '/'), hard('leak', `hostroot${h.secret}`)]],
    expect: () => ({ refused: /hard link/ }),
  },
  {
    name: 'hardlink-leak-existing',
    attack: 'hostroot -> /, then leak -> hostroot/etc/passwd: the image\'s own file, never the host\'s',
    layers: () => [[dir('etc'), file('etc/passwd', 'image-passwd\n'), sym('hostroot', '/'), hard('leak', 'hostroot/etc/passwd')]],
    expect: () => ({ inside: { leak: 'image-passwd\n' } }),
  },
  {
    name: 'hardlink-absolute',
    attack: 'a hard link whose target is the host secret\'s absolute path',
    layers: (h) => [[hard('leak', h.secret)]],
    expect: () => ({ refused: /hard link/ }),
  },
  {
    name: 'hardlink-dotdot',
    attack: 'a hard link to ../../../../etc/passwd',
    layers: () => [[hard('leak', '../../../../../../etc/passwd')]],
    expect: () => ({ refused: /outside the image root|climbs/ }),
  },
  {
    name: 'hardlink-to-dir',
    attack: 'a hard link to a directory',
    layers: () => [[dir('d'), hard('l', 'd')]],
    expect: () => ({ refused: /hard link/ }),
  },
  {
    name: 'whiteout-through-link',
    attack: 'layer 1: esc -> /host/dir; layer 2: esc/.wh.victim',
    layers: (h) => [[sym('esc', h.sentinel)], [{ name: 'esc/.wh.victim', type: 'file', body: '' }]],
    expect: (h) => ({ inside: { esc: { link: h.sentinel } } }),
  },
  {
    name: 'opaque-through-link',
    attack: 'layer 1: esc -> /host/dir; layer 2: esc/.wh..wh..opq',
    layers: (h) => [[sym('esc', h.sentinel)], [{ name: 'esc/.wh..wh..opq', type: 'file', body: '' }]],
    expect: (h) => ({ inside: { esc: { link: h.sentinel } } }),
  },
  {
    name: 'opaque-below-root-link',
    attack: 'layer 1: hostroot -> /; layer 2: hostroot/host/dir/.wh..wh..opq',
    layers: (h) => [[sym('hostroot', '/')], [{ name: `hostroot/${rel(h.sentinel)}/.wh..wh..opq`, type: 'file', body: '' }]],
    expect: () => ({ inside: { hostroot: { link: '/' } } }),
  },
  {
    name: 'empty-whiteout',
    attack: 'etc/.wh. (a whiteout naming nothing: the parent itself)',
    layers: () => [[dir('etc'), file('etc/passwd', 'x')], [{ name: 'etc/.wh.', type: 'file', body: '' }]],
    expect: () => ({ refused: /whiteout/ }),
  },
  {
    name: 'link-loop',
    attack: 'a -> b, b -> a, then a/file',
    layers: () => [[sym('a', 'b'), sym('b', 'a'), file('a/file', 'x')]],
    expect: () => ({ refused: /too many levels of symbolic links/ }),
  },
  {
    name: 'link-dir-link',
    attack: 'layer 1: d -> /host/dir; layer 2: d/ (0700) and d/f; layer 3: d -> /host/dir again and d/g',
    layers: (h) => [[sym('d', h.sentinel)], [dir('d', 0o700), file('d/f', 'f')], [sym('d', h.sentinel), file('d/g', 'g')]],
    expect: (h) => ({ inside: { d: { link: h.sentinel }, [`${rel(h.sentinel)}/g`]: 'g', [`${rel(h.sentinel)}/f`]: 'absent' } }),
  },
  {
    name: 'dir-then-link',
    attack: 'layer 1: d/ and d/f; layer 2: d -> /host/dir; layer 3: d/h',
    layers: (h) => [[dir('d'), file('d/f', 'f')], [sym('d', h.sentinel)], [file('d/h', 'h')]],
    expect: (h) => ({ inside: { d: { link: h.sentinel }, [`${rel(h.sentinel)}/h`]: 'h' } }),
  },
  {
    name: 'file-over-host-link',
    attack: 'esc -> /host/dir/victim, then a file named esc (must replace the link, not write through it)',
    layers: (h) => [[sym('esc', `${h.sentinel}/victim`)], [file('esc', 'overwritten')]],
    expect: () => ({ inside: { esc: 'overwritten' } }),
  },
  {
    name: 'devices-and-fifo',
    attack: 'a block device (8:0, a host disk), a char device (1:1, /dev/mem) and a fifo',
    layers: () => [[dir('x'), { name: 'x/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o666 }, { name: 'x/mem', type: 'character-device', devmajor: 1, devminor: 1, mode: 0o666 }, { name: 'x/fifo', type: 'fifo', mode: 0o644 }]],
    expect: () => ({ inside: { x: 'dir', 'x/sda': 'absent', 'x/mem': 'absent' } }),
  },
  {
    name: 'setuid',
    attack: 'setuid and setgid root binaries (kept in the image, never reachable by other host users)',
    layers: () => [[dir('bin'), file('bin/su', '#!/bin/sh\n', 0o4755), file('bin/sg', '#!/bin/sh\n', 0o2755)]],
    expect: () => ({ inside: { 'bin/su': { mode: 0o4755 }, 'bin/sg': { mode: 0o2755 } } }),
  },
  {
    name: 'dotdot-name',
    attack: 'an entry named ../../../../tmp/outside',
    layers: () => [[file('../../../../tmp/outside', 'pwned')]],
    expect: () => ({ refused: /outside the image root/ }),
  },
  {
    name: 'dotdot-inner-name',
    attack: 'an entry named a/../../../outside',
    layers: () => [[file('a/../../../outside', 'pwned')]],
    expect: () => ({ refused: /outside the image root/ }),
  },
  {
    name: 'absolute-name',
    attack: 'an entry named /abs/file (made relative to the root)',
    layers: () => [[file('/abs/file', 'a')]],
    expect: () => ({ inside: { 'abs/file': 'a' } }),
  },
  {
    name: 'long-name',
    attack: 'a 300-character path component',
    layers: () => [[file('x'.repeat(300), 'x')]],
    expect: () => ({ refused: /name too long|ENAMETOOLONG/ }),
  },
  {
    name: 'odd-name',
    attack: 'a name with a newline and a backslash',
    layers: () => [[file('we\nird\\name', 'odd')]],
    expect: () => ({ inside: { 'we\nird\\name': 'odd' } }),
  },
];

/** A tar of the entries, as bytes. */
export async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((ok, fail) => (pack.on('end', ok), pack.on('error', fail)));
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = { name: e.name, type, mode: e.mode ?? 0o644, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: new Date(1_700_000_000_000), linkname: e.linkname, devmajor: e.devmajor, devminor: e.devminor };
    await new Promise<void>((ok, fail) => pack.entry(header, type === 'file' ? (e.body ?? '') : '', (err) => (err ? fail(err) : ok())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A fresh sentinel directory and secret file under `base`, which the cases aim at. */
export function makeHost(base: string): Host {
  const sentinel = join(base, 'sentinel');
  mkdirSync(sentinel, { recursive: true });
  chmodSync(sentinel, 0o755);
  writeFileSync(join(sentinel, 'victim'), 'victim');
  const token = `host-secret-${randomBytes(8).toString('hex')}`;
  const secret = join(base, 'secret.txt');
  writeFileSync(secret, token);
  return { sentinel, secret, token };
}

/** The sentinel dir and secret as text (names, types, modes, contents): equal before and after, or something got out. */
export function hostState(h: Host): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const s = lstatSync(p);
      out.push(`${p} ${s.mode.toString(8)} ${s.uid}:${s.gid} ${s.isSymbolicLink() ? readlinkSync(p) : s.isFile() ? readFileSync(p, 'utf8') : ''}`);
      if (s.isDirectory()) walk(p);
    }
  };
  const s = lstatSync(h.sentinel);
  out.push(`${h.sentinel} ${s.mode.toString(8)}`);
  walk(h.sentinel);
  out.push(`${h.secret} ${readFileSync(h.secret, 'utf8')} nlink=${lstatSync(h.secret).nlink}`);
  return out.join('\n');
}

/** Paths under root holding the host secret (by content or as a hard link to it), or device nodes. */
export function leaksInside(root: string, h: Host): string[] {
  const bad: string[] = [];
  const secretIno = lstatSync(h.secret).ino;
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const s = lstatSync(p);
      if (s.isBlockDevice() || s.isCharacterDevice()) bad.push(`${p}: device node`);
      if (s.isFile() && (s.ino === secretIno || (s.size < 1 << 20 && readFileSync(p, 'utf8').includes(h.token)))) bad.push(`${p}: host secret`);
      if (s.isDirectory()) walk(p);
    }
  };
  walk(root);
  return bad;
}

/** Checks the expectations of an unpacked case against the root on disk; returns what differs. */
export function checkInside(root: string, inside: Record<string, Expect>): string[] {
  const bad: string[] = [];
  for (const [p, want] of Object.entries(inside)) {
    const abs = join(root, p);
    let s;
    try {
      s = lstatSync(abs);
    } catch {
      s = undefined;
    }
    if (want === 'absent') {
      if (s) bad.push(`${p}: expected absent`);
      continue;
    }
    if (!s) {
      bad.push(`${p}: missing`);
      continue;
    }
    if (want === 'dir') {
      if (!s.isDirectory()) bad.push(`${p}: expected a directory`);
    } else if (typeof want === 'string') {
      if (!s.isFile() || readFileSync(abs, 'utf8') !== want) bad.push(`${p}: expected a file with ${JSON.stringify(want)}`);
    } else if ('link' in want) {
      if (!s.isSymbolicLink() || readlinkSync(abs) !== want.link) bad.push(`${p}: expected a symlink to ${want.link}`);
    } else if ((s.mode & 0o7777) !== want.mode) bad.push(`${p}: mode ${(s.mode & 0o7777).toString(8)}, expected ${want.mode.toString(8)}`);
  }
  return bad;
}
