// The time and revision baked into each image come from the last commit that changed its inputs –
// checked against a real git history, commit by commit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@pipeline/core';
import { readGitInfo } from '@pipeline/build';
import { loadConfig } from '../../src/config/index.js';
import { inputTimes } from '../../src/pipeline/input-time.js';
import { tempDir } from '../../../../test/lib/tmp.js';

const repo = tempDir('pipeline-input-time-');
let clock = 1_000_000_000;
const git = (cwd: string, ...args: string[]) => {
  const date = `${clock} +0000`;
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date } }).trim();
};
const write = (path: string, text: string) => {
  mkdirSync(join(repo, path, '..'), { recursive: true });
  writeFileSync(join(repo, path), text);
};
const commit = (msg: string): { sha: string; time: number } => {
  clock += 1000;
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', msg);
  return { sha: git(repo, 'rev-parse', 'HEAD'), time: clock };
};
const edit = (path: string, from: string, to: string) => write(path, readFileSync(join(repo, path), 'utf8').replace(from, to));

async function times(dir = repo, env: NodeJS.ProcessEnv = {}, warnings: string[] = []) {
  const cfg = await loadConfig(join(dir, 'pipeline.yml'));
  const t = inputTimes(cfg, { git: await readGitInfo(dir), env, logger: { ...silentLogger, warn: (m) => warnings.push(m) } });
  try {
    const [os, app] = await Promise.all([t.of('os'), t.of('app')]);
    return { os: [os.revision, os.time], app: [app.revision, app.time] };
  } finally {
    t.close();
  }
}
const at = (c: { sha: string; time: number }) => [c.sha, c.time];

const config = `version: 1
images:
  os:
    dockerfile: images/os/Dockerfile
    version: "1.0"
    build-args: { A: "1" }
  app:
    dockerfile: app/Dockerfile
    from: os
test:
  app:
    structure:
      - { file: /app/server.js }
`;

git(repo, 'init', '-q', '-b', 'main');
write('pipeline.yml', config);
write('images/os/Dockerfile', 'FROM busybox:1.35.0\n');
write('images/os/.dockerignore', 'notes.txt\n');
write('images/os/notes.txt', 'not in the image\n');
write('app/Dockerfile', 'FROM os\nCOPY . /app\n');
write('app/server.js', '1\n');
write('README.md', 'docs\n');
const first = commit('first');

test('the first commit is every image\'s time', async () => {
  assert.equal(await times(), { os: at(first), app: at(first) });
});

test('a change of a file .dockerignore leaves out, of the docs or of a test changes no image', async () => {
  write('images/os/notes.txt', 'still not in the image\n');
  commit('notes');
  write('README.md', 'more docs\n');
  commit('docs');
  edit('pipeline.yml', '- { file: /app/server.js }', '- { file: /app/server.js, exists: true }');
  commit('a test');
  edit('pipeline.yml', 'version: "1.0"\n', 'version: "1.0"\n    tags: ["{version}", "{major}"]\n');
  commit('os tags');
  assert.equal(await times(), { os: at(first), app: at(first) });
});

test('an app change moves the app only; a build arg of the OS moves the OS and everything on it', async () => {
  write('app/server.js', '2\n');
  const app = commit('app');
  assert.equal(await times(), { os: at(first), app: at(app) });
  edit('pipeline.yml', 'A: "1"', 'A: "2"');
  const os = commit('os build arg');
  assert.equal(await times(), { os: at(os), app: at(os) });
  write('images/os/.dockerignore', 'notes.txt\n*.md\n');
  const ignore = commit('os ignore file');
  assert.equal((await times()).os, at(ignore), 'the ignore file itself counts: it decides what the context is');
});

test('SOURCE_DATE_EPOCH sets the time; the revision still names the inputs\' last change', async () => {
  const before = await times();
  const t = await times(repo, { SOURCE_DATE_EPOCH: '1234' });
  assert.equal(t, { os: [before.os[0], 1234], app: [before.app[0], 1234] });
});

test('a shallow clone that does not reach the last change warns and takes the oldest commit it has', async () => {
  write('README.md', 'last\n');
  const head = commit('docs again');
  const shallow = join(tempDir('pipeline-shallow-'), 'c');
  execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo}`, shallow]);
  const warnings: string[] = [];
  const t = await times(shallow, {}, warnings);
  assert.equal(t.os, at(head));
  assert.ok(warnings.some((w) => /^os: this is a shallow clone/.test(w)), warnings.join('\n'));
  const full = join(tempDir('pipeline-full-'), 'c');
  execFileSync('git', ['clone', '-q', repo, full]);
  assert.equal(await times(full), await times(), 'a full clone anywhere agrees with the original');
});

test.run();
