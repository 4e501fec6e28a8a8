// unpackImage's ordinary semantics (OCI image spec, layer changesets): later layers replace entries,
// whiteouts delete, opaque markers hide lower content but keep what their own layer wrote, a
// directory entry over a directory only changes its metadata, hard links share the inode.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sha256 } from '@pipeline/core';
import { privateRoot, unpackImage } from '../../src/executor/rootfs.js';
import type { Image } from '../../src/model/image.js';
import { tarOf, type TarEntry } from '../../../../test/hostile/layer-tars.js';

async function unpacked(layers: TarEntry[][], owners = false) {
  const ls = await Promise.all(
    layers.map(async (l) => {
      const b = await tarOf(l);
      return { digest: sha256(b), diffId: sha256(b), size: b.length, mediaType: 'application/vnd.oci.image.layer.v1.tar', open: async () => Readable.from([b], { objectMode: false }) };
    }),
  );
  const priv = await privateRoot('run-exec-unpack-');
  await unpackImage({ layers: ls } as unknown as Image, priv.root, { owners });
  return priv;
}

test('whiteouts delete files and trees of lower layers; a later entry replaces an earlier one', async () => {
  const p = await unpacked([
    [{ name: 'etc/', type: 'directory', mode: 0o755 }, { name: 'etc/a', body: 'a' }, { name: 'etc/b', body: 'b' }, { name: 'opt/x/y', body: 'y' }, { name: 'f', body: 'old' }],
    [{ name: 'etc/.wh.a', body: '' }, { name: 'opt/.wh.x', body: '' }, { name: 'f', type: 'symlink', linkname: 'etc/b' }],
  ]);
  try {
    assert.equal(readdirSync(join(p.root, 'etc')), ['b']);
    assert.equal(readdirSync(join(p.root, 'opt')), []);
    assert.is(readlinkSync(join(p.root, 'f')), 'etc/b');
  } finally {
    await p.dispose();
  }
});

test('an opaque directory hides lower content but keeps what its own layer wrote', async () => {
  const p = await unpacked([
    [{ name: 'd/', type: 'directory' }, { name: 'd/old', body: 'o' }, { name: 'd/sub/old2', body: 'o' }],
    [{ name: 'd/', type: 'directory', mode: 0o750 }, { name: 'd/new', body: 'n' }, { name: 'd/.wh..wh..opq', body: '' }],
  ]);
  try {
    assert.equal(readdirSync(join(p.root, 'd')), ['new']);
    assert.is(lstatSync(join(p.root, 'd')).mode & 0o777, 0o750);
  } finally {
    await p.dispose();
  }
});

test('a directory entry over a directory keeps its content; hard links share the inode; modes and setuid kept with owners', async () => {
  const p = await unpacked(
    [
      [{ name: 'd/', type: 'directory', mode: 0o755 }, { name: 'd/f', body: 'f', mode: 0o4755, uid: 1000, gid: 1000 }],
      [{ name: 'd/', type: 'directory', mode: 0o700, uid: 1000, gid: 1000 }, { name: 'd/l', type: 'link', linkname: 'd/f' }, { name: './', type: 'directory', mode: 0o755 }],
    ],
    true,
  );
  try {
    assert.ok(existsSync(join(p.root, 'd/f')));
    const d = lstatSync(join(p.root, 'd'));
    const f = lstatSync(join(p.root, 'd/f'));
    assert.is(d.mode & 0o7777, 0o700);
    assert.is(f.ino, lstatSync(join(p.root, 'd/l')).ino);
    assert.is(readFileSync(join(p.root, 'd/l'), 'utf8'), 'f');
    if (process.getuid?.() === 0) {
      assert.is(f.mode & 0o7777, 0o4755, 'chown before chmod keeps setuid');
      assert.equal([d.uid, f.uid, f.gid], [1000, 1000, 1000]);
    }
  } finally {
    await p.dispose();
  }
});

test.run();
