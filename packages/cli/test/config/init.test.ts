import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir, mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/main.js';
import { loadConfig } from '../../src/config/index.js';

/** Runs the real CLI entry in `cwd`, capturing stdout/stderr. */
async function cli(cwd: string, ...argv: string[]) {
  let out = '';
  let err = '';
  const stream = (f: (s: string) => void) => ({ write: (s: string) => (f(s), true), isTTY: false }) as unknown as NodeJS.WriteStream;
  const code = await main(argv, { cwd, env: { CI: 'true' }, stdout: stream((s) => (out += s)), stderr: stream((s) => (err += s)) });
  return { code, out, err };
}

let dir = '';
test.before.each(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipeline-init-'));
});
test.after.each(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('init writes pipeline.yml and a three-line Dockerfile that load cleanly', async () => {
  const r = await cli(dir, 'init');
  assert.is(r.code, 0, r.err);
  assert.is(r.out, `wrote ${join(dir, 'pipeline.yml')}\nwrote ${join(dir, 'Dockerfile')}\nwrote ${join(dir, '.gitignore')}\nnext: pipeline lint, then pipeline build\n`);
  assert.match(await readFile(join(dir, '.gitignore'), 'utf8'), /^\.pipeline\/$/m);
  assert.is(await readFile(join(dir, 'Dockerfile'), 'utf8'), 'FROM node:20.11.1\nCOPY . /app\nCMD ["node", "/app/server.js"]\n');
  const c = await loadConfig(join(dir, 'pipeline.yml'));
  assert.equal(c.order, ['app']);
  assert.equal(c.images.app.from, { kind: 'external', ref: 'node:20.11.1' });
  assert.equal(c.images.app.tags, ['{sha}', 'sha-{short}', '{branch}']);
  assert.equal(c.test.app.structure.map((s) => s.kind), ['file', 'command']);
  assert.equal(c.warnings, []);
  assert.match(await readFile(join(dir, 'pipeline.yml'), 'utf8'), /^# pipeline\.yml/);
});

test('init refuses to overwrite pipeline.yml without --force, and never touches an existing Dockerfile', async () => {
  await writeFile(join(dir, 'Dockerfile'), 'FROM python:3.12\n');
  assert.is((await cli(dir, 'init', '--from', 'python:3.12-slim', '--name', 'api')).code, 0);
  const again = await cli(dir, 'init');
  assert.is(again.code, 2);
  assert.match(again.err, /pipeline\.yml exists; not overwriting it\n  hint: pass --force/);
  await writeFile(join(dir, 'pipeline.yml'), 'version: 1\n');
  const forced = await cli(dir, 'init', '--force', '--json');
  assert.is(forced.code, 0, forced.err);
  assert.equal(JSON.parse(forced.out), { written: [join(dir, 'pipeline.yml')], images: ['app'] }, '.gitignore already ignores .pipeline/');
  assert.is(await readFile(join(dir, 'Dockerfile'), 'utf8'), 'FROM python:3.12\n');
});

test('init adds .pipeline/ to an existing .gitignore once, and git then ignores the state it writes', async () => {
  const { execFileSync } = await import('node:child_process');
  await writeFile(join(dir, '.gitignore'), 'node_modules');
  assert.is((await cli(dir, 'init')).code, 0);
  assert.is(await readFile(join(dir, '.gitignore'), 'utf8'), "node_modules\n# pipeline's local state: build record and local image copies (pipeline init)\n.pipeline/\n");
  assert.match(await readFile(join(dir, 'pipeline.yml'), 'utf8'), /\.pipeline\/ \(the build record/, 'the starter file says what .pipeline/ is');
  await writeFile(join(dir, '.gitignore'), 'dist/\n/.pipeline\n');
  assert.is((await cli(dir, 'init', '--force')).code, 0);
  assert.is(await readFile(join(dir, '.gitignore'), 'utf8'), 'dist/\n/.pipeline\n', 'already ignored: left alone');
  execFileSync('git', ['init', '-q'], { cwd: dir });
  await mkdir(join(dir, '.pipeline', 'images'), { recursive: true });
  await writeFile(join(dir, '.pipeline', 'record.json'), '{}');
  const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir, encoding: 'utf8' });
  assert.not.match(status, /\.pipeline\//);
});

test('init --from picks the CMD for the runtime; an unpinned --from is refused', async () => {
  assert.is((await cli(join(dir, 'sub'), 'init', '--from', 'python:3.12-slim')).code, 0);
  assert.is(await readFile(join(dir, 'sub', 'Dockerfile'), 'utf8'), 'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "/app/main.py"]\n');
  const bad = await cli(dir, 'init', '--from', 'node');
  assert.is(bad.code, 2);
  assert.match(bad.err, /Expected --from with a version tag or digest, got "node"/);
});

test.run();
