// The tar header scanner the filesystem index uses, against tar-stream on archives GNU tar writes
// (ustar, GNU long names, PAX), with long names and link targets, hard links and big ids.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, linkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { HeaderScanner, type ScannedHeader } from '../../src/layer/header-scan.js';

const dir = mkdtempSync(join(tmpdir(), 'hscan-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const src = join(dir, 'src');
const long = 'd'.repeat(80);
mkdirSync(join(src, long, long), { recursive: true });
writeFileSync(join(src, long, long, 'file-with-a-long-name.txt'), 'x'.repeat(1500));
writeFileSync(join(src, 'small'), 'y');
symlinkSync(`/target/${'t'.repeat(120)}`, join(src, 'longlink'));
linkSync(join(src, 'small'), join(src, 'hard'));

async function viaTarStream(bytes: Buffer): Promise<string[]> {
  const out: string[] = [];
  const x = tar.extract();
  x.on('entry', (h, s, next) => {
    out.push(`${h.name.replace(/\/$/, '')} ${h.type} ${(h.mode ?? 0).toString(8)} ${h.uid}:${h.gid} ${h.linkname ?? ''}`);
    s.on('end', next);
    s.resume();
  });
  await pipeline(Readable.from([bytes]), x);
  return out;
}

function viaScanner(bytes: Buffer, piece: number): string[] {
  const out: string[] = [];
  const s = new HeaderScanner((h: ScannedHeader) => out.push(`${h.name.replace(/\/$/, '')} ${h.type} ${h.mode.toString(8)} ${h.uid}:${h.gid} ${h.linkname}`));
  for (let i = 0; i < bytes.length; i += piece) assert.is(s.push(bytes.subarray(i, i + piece)), undefined);
  s.end();
  return out;
}

for (const format of ['gnu', 'pax', 'ustar']) {
  test(`same headers as tar-stream: GNU tar --format=${format}, fed in odd-sized pieces`, async () => {
    const file = join(dir, `${format}.tar`);
    const args = ['--format', format, '-cf', file, '-C', src, '--owner=3000000', '--group=7', '--numeric-owner', '.'];
    try {
      execFileSync('tar', args, { stdio: 'pipe' });
    } catch {
      // ustar cannot hold the long names or the big uid: GNU tar refuses, as it should.
      assert.is(format, 'ustar');
      return;
    }
    const bytes = readFileSync(file);
    let want = await viaTarStream(bytes);
    // tar-stream drops PAX uid records; GNU tar's own listing says what the archive holds.
    if (format === 'pax') {
      assert.match(execFileSync('tar', ['-tvf', file, '--numeric-owner'], { encoding: 'utf8' }), / 3000000\/7 /);
      want = want.map((l) => l.replace(/ 0:7 /, ' 3000000:7 '));
    }
    assert.ok(want.length >= 6);
    for (const piece of [7, 512, 100_000]) assert.equal(viaScanner(bytes, piece), want);
  });
}

test('a corrupt header is an error, not a silent skip', () => {
  const b = Buffer.alloc(1024, 0);
  b.write('name', 0);
  b.write('0000644\0', 100);
  b.write('9999999\0', 148); // wrong checksum
  const s = new HeaderScanner(() => {});
  assert.instance(s.push(b), Error);
});

test.run();
