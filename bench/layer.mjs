// Layer writer micro-benchmark: a generated 3000-file / ~60 MB tree (node_modules-like: many small
// text files, some larger ones, a third incompressible), built as a layer cold, then as a no-change
// cache hit, next to `tar -cf - dir | gzip -1 | sha256sum` measured in the same run.
// Run: node --import tsx bench/layer.mjs [--chunk=1048576] [--level=1]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, rmSync, mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyToLayer } from '../packages/build/src/layer/index.ts';
import { noIgnore } from '../packages/build/src/context/index.ts';
import { FsIndex } from '../packages/build/src/fs/index.ts';

const arg = (k, d) => Number((process.argv.find((a) => a.startsWith(`--${k}=`)) ?? '').split('=')[1] || d);
const root = join(tmpdir(), 'pipeline-bench-layer');
const tree = join(root, 'ctx');

function makeTree() {
  if (existsSync(join(tree, '.done'))) return;
  rmSync(tree, { recursive: true, force: true });
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const words = 'function return const let var module exports require this that value object array string number'.split(' ');
  for (let i = 0; i < 3000; i++) {
    const dir = join(tree, 'node_modules', `pkg${i % 150}`, `lib${i % 7}`);
    mkdirSync(dir, { recursive: true });
    // ~20 KB average; every 100th file ~ 300 KB; a third of the bytes random (already-compressed assets)
    const size = i % 100 === 0 ? 300_000 : Math.floor(rnd() * 34_000) + 1000;
    const body = i % 3 === 0 ? randomBytes(size) : Buffer.from(Array.from({ length: size / 6 }, () => words[Math.floor(rnd() * words.length)]).join(' ').slice(0, size));
    writeFileSync(join(dir, `file${i}.js`), body);
  }
  writeFileSync(join(tree, '.done'), '');
}

const time = async (f) => {
  const t = process.hrtime.bigint();
  const r = await f();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, r };
};

makeTree();
const bytes = Number(execFileSync('du', ['-sb', join(tree, 'node_modules')]).toString().split('\t')[0]);
const level = arg('level', 1);
const chunkSize = arg('chunk', 1 << 20);
const work = mkdtempSync(join(root, 'run-'));
const opts = (cacheDir) => ({ context: tree, ignore: noIgnore, sources: ['node_modules'], dest: '/app/node_modules', fs: new FsIndex(), epoch: 0, store: join(work, 'store'), cacheDir, compressionLevel: level });

execFileSync('sh', ['-c', `tar -cf - -C "$1" node_modules >/dev/null`, 'sh', tree]); // warm the page cache for both sides
const shell = await time(() => execFileSync('sh', ['-c', `tar -cf - -C "$1" node_modules | gzip -${level} | sha256sum`, 'sh', tree]));
const nocache = await time(() => copyToLayer(opts(undefined)));
const cold = await time(() => copyToLayer(opts(join(work, 'cache'))));
const hashHit = await time(() => copyToLayer({ ...opts(join(work, 'cache')), store: join(work, 'store') }));
const hit = await time(() => copyToLayer(opts(join(work, 'cache'))));
const rss = process.memoryUsage().rss;

const rows = {
  tree: { files: 3000, mb: +(bytes / 1e6).toFixed(1) },
  level,
  chunkSize,
  'tar|gzip|sha256sum (ms)': +shell.ms.toFixed(0),
  'copyToLayer, no cache (ms)': +nocache.ms.toFixed(0),
  'copyToLayer, cold cache (ms)': +cold.ms.toFixed(0),
  'second run (stat cache filled, ms)': +hashHit.ms.toFixed(0),
  'no-change cache hit (ms)': +hit.ms.toFixed(0),
  'layer size (MB)': +(nocache.r.layer.size / 1e6).toFixed(1),
  'rss (MB)': +(rss / 1e6).toFixed(0),
  cached: [cold.r.cached, hashHit.r.cached, hit.r.cached],
};
console.log(JSON.stringify(rows, null, 2));
rmSync(work, { recursive: true, force: true });
