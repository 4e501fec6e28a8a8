#!/usr/bin/env node
// ADD of hostile local archives through the real binary: peak RSS (GNU time) and wall time for
// a 2.7 MB tar.gz of 300,000 empty members and a 4 MiB gzip "bomb" (one 4 GiB member of zeros),
// with the default limits and with PIPELINE_ADD_MAX_BYTES=1GiB. Also the temp space used (none:
// members stream into the layer). Writes bench/results/add-archive.json and .md.
//   node bench/add-archive.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { work } from './fixture.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/cli/bin/pipeline.js');
const dir = join(work, 'add-archive');
mkdirSync(dir, { recursive: true });

// 300,000 empty files in one directory, as GNU tar writes them (~2.7 MB gzipped).
const many = join(dir, 'many');
if (!existsSync(join(many, 'many.tar.gz'))) {
  mkdirSync(join(many, 'src'), { recursive: true });
  execFileSync('bash', ['-c', 'cd src && seq -f "f%06g" 1 300000 | xargs touch && cd .. && tar --sort=name -czf many.tar.gz -C src . && rm -rf src'], { cwd: many });
  writeFileSync(join(many, 'Dockerfile'), 'FROM scratch\nADD many.tar.gz /data/\n');
}
// One 4 GiB member of zeros: gzip -9 makes it ~4 MiB.
const bomb = join(dir, 'bomb');
if (!existsSync(join(bomb, 'bomb.tar.gz'))) {
  mkdirSync(bomb, { recursive: true });
  const size = 4 * 1024 ** 3;
  const header = Buffer.alloc(512);
  header.write('zeros', 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('0', 156);
  header.write('ustar\x0000', 257);
  header.fill(' ', 148, 156);
  header.write(`${header.reduce((a, b) => a + b, 0).toString(8).padStart(6, '0')}\0 `, 148);
  const zero = Buffer.alloc(1 << 20);
  async function* body() {
    yield header;
    for (let i = 0; i < size / zero.length; i++) yield zero;
    yield Buffer.alloc(1024);
  }
  await pipeline(Readable.from(body()), createGzip({ level: 9 }), createWriteStream(join(bomb, 'bomb.tar.gz')));
  writeFileSync(join(bomb, 'Dockerfile'), 'FROM scratch\nADD bomb.tar.gz /data/\n');
}

function run(label, ctx, env = {}) {
  const tmp = join(dir, `tmp-${label.replace(/\W+/g, '-')}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const r = spawnSync('/usr/bin/time', ['-f', '%M %e', process.execPath, bin, 'build', ctx, '-o', `oci:${join(tmp, 'out')}`, '--cache-dir', join(tmp, 'cache'), '-q'], { env: { ...process.env, SOURCE_DATE_EPOCH: '0', TMPDIR: tmp, ...env }, encoding: 'utf8' });
  const [kb, secs] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  const tmpLeft = readdirSync(tmp).filter((f) => f !== 'out' && f !== 'cache');
  const blobs = join(tmp, 'cache', 'store', 'blobs', 'sha256');
  const layerBytes = existsSync(blobs) ? readdirSync(blobs).reduce((n, f) => n + statSync(join(blobs, f)).size, 0) : 0;
  const out = { label, exit: r.status, peakRssMiB: Math.round(kb / 1024), seconds: secs, tmpEntriesLeft: tmpLeft.length, storeBytes: layerBytes, message: r.status ? (r.stderr.split('\n').find((l) => /error/.test(l)) ?? '').trim() : '' };
  console.log(JSON.stringify(out));
  rmSync(tmp, { recursive: true, force: true });
  return out;
}

const results = {
  date: new Date().toISOString(),
  load: execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim(),
  archives: { manyTarGzBytes: statSync(join(many, 'many.tar.gz')).size, bombTarGzBytes: statSync(join(bomb, 'bomb.tar.gz')).size },
  runs: [
    run('300,000 empty members (default limits)', many),
    run('4 GiB gzip bomb (default limits: 8 GiB)', bomb),
    run('4 GiB gzip bomb, PIPELINE_ADD_MAX_BYTES=1 GiB', bomb, { PIPELINE_ADD_MAX_BYTES: String(1 << 30) }),
  ],
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/add-archive.json'), JSON.stringify(results, null, 2) + '\n');
const md = [
  `ADD of hostile archives, ${results.date.slice(0, 10)} (load ${results.load.split(' ').slice(0, 3).join(' ')}); many.tar.gz ${(results.archives.manyTarGzBytes / 1e6).toFixed(1)} MB, bomb.tar.gz ${(results.archives.bombTarGzBytes / 1048576).toFixed(1)} MiB.`,
  '',
  '| archive | exit | peak RSS | time | left in TMPDIR | layer blobs written |',
  '|---|---|---|---|---|---|',
  ...results.runs.map((r) => `| ${r.label} | ${r.exit}${r.message ? ` (${r.message.replace(/^.*?: ADD /, 'ADD ').replace(/\|/g, '\\|').slice(0, 100)})` : ''} | ${r.peakRssMiB} MiB | ${r.seconds} s | ${r.tmpEntriesLeft} | ${(r.storeBytes / 1048576).toFixed(1)} MiB |`),
  '',
];
writeFileSync(join(root, 'bench/results/add-archive.md'), md.join('\n'));
console.log(md.join('\n'));
