import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { tarStream, writeLayer, type LayerEntry } from '../../src/layer/index.js';
import { planLayer } from '../../src/layer/plan.js';
import { blobPath } from '../../src/store/blob-store.js';
import { readLayer } from './helpers.js';

const tmp = (p: string) => mkdtemp(join(tmpdir(), p));

async function fixture(dir: string, big: Buffer): Promise<LayerEntry[]> {
  await writeFile(join(dir, 'x.sh'), '#!/bin/sh\n', { mode: 0o700 });
  await writeFile(join(dir, 'big.bin'), big);
  return [
    { path: '/app/x.sh', source: { kind: 'file', path: join(dir, 'x.sh'), size: 10, linkKey: '7:1' }, mode: 0o700 },
    { path: 'app/copy.sh', source: { kind: 'file', path: join(dir, 'x.sh'), size: 10, linkKey: '7:1' }, mode: 0o700 },
    { path: './app/big.bin', source: { kind: 'file', path: join(dir, 'big.bin'), size: big.length }, mode: 0o640 },
    { path: 'app/link', source: { kind: 'symlink', target: 'x.sh' } },
    { path: 'etc/motd', source: { kind: 'whiteout' } },
    { path: 'var/cache', source: { kind: 'opaque' } },
    { path: 'app/conf', source: { kind: 'bytes', data: Buffer.from('k=v\n') }, uid: 1000, gid: 100, chmod: 0o600 },
  ];
}

test('deterministic: same inputs in two directories give one digest; another epoch another', async () => {
  const big = randomBytes(3 << 20);
  const [d1, d2, store] = await Promise.all([tmp('l1-'), tmp('l2-'), tmp('store-')]);
  const a = await writeLayer(await fixture(d1, big), { store, epoch: 1700000000 });
  const b = await writeLayer(await fixture(d2, big), { store, epoch: 1700000000 });
  assert.is(a.layer.digest, b.layer.digest);
  assert.is(a.layer.diffId, b.layer.diffId);
  const c = await writeLayer(await fixture(d1, big), { store, epoch: 1700000001 });
  assert.is.not(c.layer.digest, a.layer.digest);
  const l6 = await writeLayer(await fixture(d1, big), { store, epoch: 1700000000, compressionLevel: 6 });
  assert.is(l6.layer.diffId, a.layer.diffId);
  assert.is.not(l6.layer.digest, a.layer.digest);
});

test('tar: sorted, implicit parents, modes as given (Docker keeps them), hard and symbolic links, whiteouts, epoch mtimes', async () => {
  const [d, store] = await Promise.all([tmp('l-'), tmp('store-')]);
  const w = await writeLayer(await fixture(d, Buffer.from('big')), { store, epoch: 1234 });
  const rows = await readLayer(store, w.layer);
  const brief = rows.map((r) => `${r.name} ${r.type} ${r.mode.toString(8)} ${r.uid}:${r.gid}${r.linkname ? ` -> ${r.linkname}` : ''}`);
  assert.equal(brief, [
    'app/ directory 755 0:0',
    'app/big.bin file 640 0:0',
    'app/conf file 600 1000:100',
    'app/copy.sh file 700 0:0',
    'app/link symlink 777 0:0 -> x.sh',
    'app/x.sh link 700 0:0 -> app/copy.sh',
    'etc/ directory 755 0:0',
    'etc/.wh.motd file 644 0:0',
    'var/ directory 755 0:0',
    'var/cache/ directory 755 0:0',
    'var/cache/.wh..wh..opq file 644 0:0',
  ]);
  assert.ok(rows.every((r) => r.mtime === 1234 && r.uname === ''));
  assert.is(w.files, 3);
  assert.is(w.hashes.get(join(d, 'x.sh')), createHash('sha256').update('#!/bin/sh\n').digest('hex'));
});

test('gzip: multi-member blob reads back with gunzip(1) and zlib; digests match the bytes', async () => {
  const [d, store] = await Promise.all([tmp('l-'), tmp('store-')]);
  const big = Buffer.concat([randomBytes(1 << 20), Buffer.alloc(2 << 20, 'a')]);
  const w = await writeLayer(await fixture(d, big), { store, epoch: 0, chunkSize: 256 * 1024 });
  const blob = await readFile(blobPath(store, w.layer.digest));
  assert.is(blob.length, w.layer.size);
  assert.is(`sha256:${createHash('sha256').update(blob).digest('hex')}`, w.layer.digest);
  let members = 0;
  for (let i = 0; i < blob.length - 3; i++) if (blob[i] === 0x1f && blob[i + 1] === 0x8b && blob[i + 2] === 8 && blob[i + 3] === 0) members++;
  assert.ok(members >= 12, `expected many gzip members, found ${members}`);
  const viaZlib = gunzipSync(blob);
  const viaCli = execFileSync('gunzip', ['-c', blobPath(store, w.layer.digest)], { maxBuffer: 64 << 20 });
  assert.ok(viaZlib.equals(viaCli));
  assert.is(`sha256:${createHash('sha256').update(viaCli).digest('hex')}`, w.layer.diffId);
  execFileSync('tar', ['-tzf', blobPath(store, w.layer.digest)]);
});

test('long and non-ASCII names use PAX headers and survive', async () => {
  const store = await tmp('store-');
  const long = `${'d'.repeat(120)}/${'f'.repeat(120)}.txt`;
  const w = await writeLayer([{ path: long, source: { kind: 'bytes', data: Buffer.from('1') } }, { path: 'ünï.txt', source: { kind: 'bytes', data: Buffer.from('2') } }], { store, epoch: 0 });
  const names = (await readLayer(store, w.layer)).map((r) => r.name);
  assert.equal(names, [`${'d'.repeat(120)}/`, long, 'ünï.txt']);
});

test('a file that changes size while being read is an error, and no blob is left', async () => {
  const [d, store] = await Promise.all([tmp('l-'), tmp('store-')]);
  await writeFile(join(d, 'f'), 'abc');
  try {
    await writeLayer([{ path: 'f', source: { kind: 'file', path: join(d, 'f'), size: 10 } }], { store, epoch: 0 });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /changed while it was being added/);
  }
  assert.equal(execFileSync('ls', ['-A', join(store, 'blobs/sha256')]).toString(), '');
});

test('chunking: any chunk size gives the same tar; every chunk but the last is whole; gzip members agree', async () => {
  const [d, store] = await Promise.all([tmp('l-'), tmp('store-')]);
  const entries = await fixture(d, randomBytes((1 << 20) + 777));
  const tarOf = (chunk: number) => {
    const t = tarStream(planLayer(entries), 1700000000, chunk);
    const parts = [...t.stream];
    return { parts, bytes: Buffer.concat(parts), hashes: t.result.hashes };
  };
  const whole = tarOf(1 << 20);
  for (const size of [512, 513, 4096, 70_000]) {
    const t = tarOf(size);
    assert.ok(t.bytes.equals(whole.bytes), `chunk ${size}: same tar`);
    assert.ok(t.parts.slice(0, -1).every((p) => p.length === size), `chunk ${size}: whole members`);
    assert.equal([...t.hashes], [...whole.hashes]);
  }
  const listed = execFileSync('tar', ['-tvf', '-'], { input: whole.bytes }).toString();
  assert.match(listed, /app\/big\.bin/);
  const a = await writeLayer(entries, { store, epoch: 1 });
  const b = await writeLayer(entries, { store, epoch: 1, chunkSize: 4096 });
  assert.is(b.layer.diffId, a.layer.diffId);
  assert.equal(gunzipSync(await readFile(blobPath(store, b.layer.digest))), gunzipSync(await readFile(blobPath(store, a.layer.digest))));
});

test('progress: reported per member, growing, ending at the tar size it announced', async () => {
  const [d, store] = await Promise.all([tmp('l-'), tmp('store-')]);
  const calls: [number, number][] = [];
  const w = await writeLayer(await fixture(d, randomBytes(300_000)), { store, epoch: 0, chunkSize: 65536, onProgress: (done, total) => calls.push([done, total]) });
  assert.ok(calls.length >= 5, `${calls.length} reports`);
  assert.ok(calls.every(([done, total], i) => done <= total && (i === 0 || done > calls[i - 1]![0])));
  const raw = gunzipSync(await readFile(blobPath(store, w.layer.digest)));
  assert.equal(calls.at(-1), [raw.length, raw.length]);
});

test('a file that grew since it was listed is an error too', async () => {
  const [d, store] = await Promise.all([tmp('l-'), tmp('store-')]);
  await writeFile(join(d, 'f'), 'abcdef');
  try {
    await writeLayer([{ path: 'f', source: { kind: 'file', path: join(d, 'f'), size: 2 } }], { store, epoch: 0 });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /expected 2 bytes, got 3/);
  }
});

test.run();
