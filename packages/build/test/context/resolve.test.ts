import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { link, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPipelineError } from '@pipeline/core';
import { makeIgnore, noIgnore, parseDockerignore, resolveSource, walkContext } from '../../src/context/index.js';

async function ctx(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'ctx-'));
  await mkdir(join(d, 'src/lib'), { recursive: true });
  await mkdir(join(d, 'node_modules/x'), { recursive: true });
  await writeFile(join(d, 'a.txt'), 'a');
  await writeFile(join(d, 'b.txt'), 'bb');
  await writeFile(join(d, 'src/main.js'), 'main');
  await writeFile(join(d, 'src/lib/util.js'), 'util');
  await writeFile(join(d, 'node_modules/x/index.js'), 'x');
  await link(join(d, 'a.txt'), join(d, 'src/a-hard.txt'));
  await symlink('lib/util.js', join(d, 'src/rel-link'));
  await symlink('/etc/passwd', join(d, 'abs-link'));
  await symlink('../../outside', join(d, 'src/out-link'));
  await symlink('src', join(d, 'src-link'));
  return d;
}

const expectContextError = async (p: Promise<unknown>, re: RegExp) => {
  try {
    await p;
    assert.unreachable('expected a ContextError');
  } catch (e) {
    assert.ok(isPipelineError(e) && e.kind === 'context', String(e));
    assert.match((e as Error).message, re);
  }
};

test('walkContext: sorted, parents first, types, hardlinks, ignore applied', async () => {
  const d = await ctx();
  const got: string[] = [];
  for await (const e of walkContext(d, makeIgnore(parseDockerignore('node_modules\n')))) got.push(`${e.path}:${e.type}${e.link ? `>${e.link}` : ''}`);
  assert.equal(got, ['a.txt:file', 'abs-link:symlink>/etc/passwd', 'b.txt:file', 'src:dir', 'src/a-hard.txt:hardlink>a.txt', 'src/lib:dir', 'src/lib/util.js:file', 'src/main.js:file', 'src/out-link:symlink>../../outside', 'src/rel-link:symlink>lib/util.js', 'src-link:symlink>src']);
});

test('walkContext: an excluded dir is entered only for its exceptions', async () => {
  const d = await ctx();
  const got: string[] = [];
  for await (const e of walkContext(d, makeIgnore(parseDockerignore('src\n!src/lib/util.js\n*.txt\n')))) got.push(e.path);
  assert.equal(got, ['abs-link', 'node_modules', 'node_modules/x', 'node_modules/x/index.js', 'src/lib/util.js', 'src-link']);
});

test('resolveSource: wildcards match per component with Go semantics, sorted', async () => {
  const d = await ctx();
  assert.equal((await resolveSource(d, '*.txt')).map((r) => r.matched), ['a.txt', 'b.txt']);
  assert.equal((await resolveSource(d, 's?c/*.js')).map((r) => r.matched), ['src/main.js']);
  assert.equal((await resolveSource(d, '[^b].txt')).map((r) => r.matched), ['a.txt']);
  assert.equal((await resolveSource(d, '/src/../a.txt')).map((r) => r.path), ['a.txt']);
  const [dot] = await resolveSource(d, '.');
  assert.is(dot.type, 'dir');
});

test('resolveSource: ignored files are invisible', async () => {
  const d = await ctx();
  const ignore = makeIgnore(parseDockerignore('b.txt\n'));
  assert.equal((await resolveSource(d, '*.txt', { ignore })).map((r) => r.matched), ['a.txt']);
  await expectContextError(resolveSource(d, 'b.txt', { ignore }), /Expected COPY source "b.txt" to match/);
});

test('resolveSource: ../ escaping the context is refused', async () => {
  const d = await ctx();
  await expectContextError(resolveSource(d, '../x'), /inside the build context, got a path outside it/);
});

test('resolveSource: top-level symlinks are followed inside the context, refused when leaving it', async () => {
  const d = await ctx();
  const [r] = await resolveSource(d, 'src/rel-link');
  assert.is(r.name, 'rel-link');
  assert.is(r.path, 'src/lib/util.js');
  const [dir] = await resolveSource(d, 'src-link');
  assert.is(dir.type, 'dir');
  assert.is(dir.path, 'src');
  await expectContextError(resolveSource(d, 'abs-link'), /symlink "abs-link" to point inside the build context, got absolute target "\/etc\/passwd"/);
  await expectContextError(resolveSource(d, 'src/out-link'), /src\/out-link -> \.\.\/\.\.\/outside/);
});

test('resolveSource scoped (an image root): absolute links resolve inside the root', async () => {
  const d = await ctx();
  await mkdir(join(d, 'etc'));
  await writeFile(join(d, 'etc/passwd'), 'root:x:0:0');
  const [r] = await resolveSource(d, 'abs-link', { scoped: true, ignore: noIgnore });
  assert.is(r.path, 'etc/passwd');
});

test.run();
