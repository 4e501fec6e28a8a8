import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile, link } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPipelineError } from '@pipeline/core';
import { makeIgnore, parseDockerignore } from '../../src/context/index.js';
import { addTarToLayer, copyToLayer, destPath, isTarArchive } from '../../src/layer/index.js';
import { FsIndex } from '../../src/fs/index.js';
import { readLayer } from './helpers.js';

const tmp = (p: string) => mkdtemp(join(tmpdir(), p));
/** An empty image: the destination rules resolve in it. */
const fs = new FsIndex();
const old = new Date(Date.now() - 3600_000);

async function context(): Promise<string> {
  const d = await tmp('cctx-');
  await mkdir(join(d, 'app/lib'), { recursive: true });
  await writeFile(join(d, 'app/index.js'), 'index');
  await writeFile(join(d, 'app/lib/a.js'), 'a');
  await writeFile(join(d, 'app/run.sh'), 'run');
  await chmod(join(d, 'app/run.sh'), 0o775);
  await writeFile(join(d, 'app/secret.env'), 'x');
  await link(join(d, 'app/index.js'), join(d, 'app/lib/index-hard.js'));
  await symlink('lib/a.js', join(d, 'app/a-link'));
  await writeFile(join(d, 'one.txt'), '1');
  await writeFile(join(d, 'two.txt'), '2');
  for (const f of ['app/index.js', 'app/lib/a.js', 'app/run.sh', 'one.txt', 'two.txt']) await utimes(join(d, f), old, old);
  return d;
}

const names = async (store: string, r: { layer: Parameters<typeof readLayer>[1] }) => (await readLayer(store, r.layer)).map((x) => `${x.name}${x.type === 'link' ? `=>${x.linkname}` : x.type === 'symlink' ? `->${x.linkname}` : ''} ${x.mode.toString(8)} ${x.uid}`);

test('destPath: relative to WORKDIR; a trailing / or . marks a directory', () => {
  assert.is(destPath('/app/', '/'), '/app/');
  assert.is(destPath('x', '/work'), '/work/x');
  assert.is(destPath('.', '/work'), '/work/');
  assert.is(destPath('./', '/work'), '/work/');
  assert.is(destPath('sub/.', '/work'), '/work/sub/');
  assert.is(destPath('/', '/work'), '/');
});

test('COPY dir copies its contents; links kept; ignore applied; modes kept; chown', async () => {
  const [d, store] = await Promise.all([context(), tmp('store-')]);
  const ignore = makeIgnore(parseDockerignore('**/*.env\n'));
  const r = await copyToLayer({ context: d, ignore, sources: ['app'], dest: '/srv/', fs, epoch: 0, store, owner: { uid: 1000, gid: 1000 } });
  assert.equal(await names(store, r), [
    'srv/ 755 1000',
    'srv/a-link->lib/a.js 777 1000',
    'srv/index.js 644 1000',
    'srv/lib/ 755 1000',
    'srv/lib/a.js 644 1000',
    'srv/lib/index-hard.js=>srv/index.js 644 1000',
    'srv/run.sh 775 1000',
  ]);
  assert.is(r.files, 3);
  assert.is(r.cached, false);
});

test('COPY file to file, to dir, wildcard to dir, relative dest, chmod, --exclude', async () => {
  const [d, store] = await Promise.all([context(), tmp('store-')]);
  const a = await copyToLayer({ context: d, sources: ['one.txt'], dest: 'renamed.txt', workdir: '/w', fs, epoch: 0, store });
  assert.equal(await names(store, a), ['w/ 755 0', 'w/renamed.txt 644 0']);
  const b = await copyToLayer({ context: d, sources: ['*.txt'], dest: '/d/', fs, epoch: 0, store, chmod: 0o600, excludes: ['two.*'] });
  assert.equal(await names(store, b), ['d/ 755 0', 'd/one.txt 600 0']);
  const c = await copyToLayer({ context: d, sources: ['app/lib/a.js', 'one.txt'], dest: '/m/', fs, epoch: 0, store });
  assert.equal(await names(store, c), ['m/ 755 0', 'm/a.js 644 0', 'm/one.txt 644 0']);
});

test('COPY errors are ContextErrors with the Dockerfile position', async () => {
  const [d, store] = await Promise.all([context(), tmp('store-')]);
  for (const [src, re] of [['missing.txt', /Expected COPY source "missing.txt" to match/], ['../etc', /outside/]] as const) {
    try {
      await copyToLayer({ context: d, sources: [src], dest: '/x', fs, epoch: 0, store, where: { file: '/ctx/Dockerfile', pos: { line: 3, column: 1 } } });
      assert.unreachable();
    } catch (e) {
      assert.ok(isPipelineError(e));
      assert.match(e.message, re);
      assert.equal(e.position, { file: '/ctx/Dockerfile', line: 3, column: 1 });
    }
  }
});

test('cache: a no-change rebuild is a hit; a changed file is a miss; a corrupt entry is rebuilt', async () => {
  const [d, store, cacheDir] = await Promise.all([context(), tmp('store-'), tmp('cache-')]);
  const run = () => copyToLayer({ context: d, sources: ['.'], dest: '/app/', fs, epoch: 5, store, cacheDir });
  const first = await run();
  const second = await run();
  assert.is(first.cached, false);
  assert.is(second.cached, true);
  assert.is(second.layer.digest, first.layer.digest);
  assert.is(second.files, first.files);
  await writeFile(join(d, 'one.txt'), '9');
  await utimes(join(d, 'one.txt'), old, new Date(old.getTime() + 1000));
  const third = await run();
  assert.is(third.cached, false);
  assert.is.not(third.layer.digest, first.layer.digest);
  const layersDir = join(cacheDir, 'layers');
  for (const sub of await readdir(layersDir)) for (const f of await readdir(join(layersDir, sub))) await writeFile(join(layersDir, sub, f), '{not json');
  const fourth = await run();
  assert.is(fourth.cached, false);
  assert.is(fourth.layer.digest, third.layer.digest);
  assert.is((await run()).cached, true);
});

test('cache: a fresh checkout (every stat changed, same content) is a hit without re-tarring', async () => {
  const [d, store, cacheDir] = await Promise.all([context(), tmp('store-'), tmp('cache-')]);
  const run = () => copyToLayer({ context: d, sources: ['.'], dest: '/app/', fs, epoch: 5, store, cacheDir });
  const first = await run();
  assert.is(first.cached, false);
  // What a CI runner with a restored cache sees: the same bytes, but new inodes and times.
  const copy = await tmp('checkout-');
  execFileSync('cp', ['-a', `${d}/.`, copy]);
  execFileSync('find', [copy, '-exec', 'touch', '-h', '-d', '2030-01-01', '{}', '+']);
  await rm(join(d), { recursive: true });
  execFileSync('mv', [copy, d]);
  const again = await run();
  assert.is(again.cached, true);
  assert.is(again.layer.digest, first.layer.digest);
});

const add = (d: string, source: string, store: string) => addTarToLayer({ archive: join(d, source), source, dest: '/opt', fs, baseKey: '', epoch: 0, store });

test('ADD archive.tar.gz unpacks under dest in archive order, owners and modes as stored, epoch mtimes', async () => {
  const [d, store] = await Promise.all([context(), tmp('store-')]);
  execFileSync('tar', ['-czf', join(d, 'arch.tgz'), '-C', join(d, 'app'), '--owner=7', '--group=8', 'lib', 'run.sh']);
  await writeFile(join(d, 'arch.tar.xz'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2]));
  await writeFile(join(d, 'json.gz'), execFileSync('gzip', ['-c'], { input: '{"not":"a tar"}' }));
  assert.ok(await isTarArchive(join(d, 'arch.tgz')));
  assert.not.ok(await isTarArchive(join(d, 'one.txt')));
  assert.not.ok(await isTarArchive(join(d, 'json.gz')), 'a gzip that is not a tar is copied as is');
  const r = await add(d, 'arch.tgz', store);
  const rows = await readLayer(store, r.layer);
  assert.equal(rows.map((x) => `${x.name} ${x.uid}:${x.gid} ${x.mode.toString(8)}`), ['opt/ 0:0 755', 'opt/lib/ 7:8 755', 'opt/lib/a.js 7:8 644', 'opt/lib/index-hard.js 7:8 644', 'opt/run.sh 7:8 775']);
  assert.ok(rows.every((x) => x.mtime === 0));
  try {
    await add(d, 'arch.tar.xz', store);
    assert.unreachable();
  } catch (e) {
    assert.ok(isPipelineError(e));
    assert.match(e.message, /ADD arch\.tar\.xz: Expected a readable xz tar archive, got an error/);
  }
});

test('ADD of .tar.xz and .tar.bz2 (through xz and bzip2) gives the same layer as .tar.gz', async () => {
  const [d, store] = await Promise.all([context(), tmp('store-')]);
  const tarFile = join(d, 'arch.tar');
  execFileSync('tar', ['-cf', tarFile, '-C', join(d, 'app'), '--owner=7', '--group=8', 'lib', 'run.sh']);
  execFileSync('sh', ['-c', 'gzip -c "$0" > "$0.gz" && xz -c "$0" > "$0.xz" && bzip2 -c "$0" > "$0.bz2"', tarFile]);
  const digests = [];
  for (const f of ['arch.tar', 'arch.tar.gz', 'arch.tar.xz', 'arch.tar.bz2']) digests.push((await add(d, f, store)).layer.diffId);
  assert.equal(new Set(digests).size, 1, digests.join(' '));
});

test.run();
