// The GitOps record against real git repositories in temp dirs: a working clone and a bare remote.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Digest } from '@pipeline/core';
import { gitIdent, readGitRecord, recordToGit, checkGitRecord, type HistoryEntry } from '../src/index.js';
import { tempDir } from '../../../test/lib/tmp.js';

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@x', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@x' } }).trim();
const d = (c: string) => `sha256:${c.repeat(64)}` as Digest;

function entry(id: string, over: Partial<HistoryEntry> = {}): HistoryEntry {
  return { deployId: id, kind: 'deploy', actor: 'Jane Doe <jane@example.com>', from: { digest: d('a'), sha: 'aaaaaaa' }, to: { digest: d('b'), sha: 'bbbbbbb' }, startedAt: '2024-05-01T10:00:00.000Z', durationMs: 4200, result: 'ok', ...over };
}

/** A repo with one commit on main and an uncommitted change: the record must leave both alone. */
function workRepo(): string {
  const dir = tempDir('git-record-');
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'pipeline.yml'), 'version: 1\n');
  git(dir, 'add', 'pipeline.yml');
  git(dir, 'commit', '-q', '-m', 'init');
  writeFileSync(join(dir, 'pipeline.yml'), 'version: 1\n# local edit\n');
  return dir;
}

test('gitIdent: git author form or a CI login', () => {
  assert.equal(gitIdent('Jane Doe <jane@example.com>'), { name: 'Jane Doe', email: 'jane@example.com' });
  assert.equal(gitIdent('octocat'), { name: 'octocat', email: '' });
});

test('appends JSON lines on a branch, actor as author, without touching HEAD, index or work tree', async () => {
  const dir = workRepo();
  const head = git(dir, 'rev-parse', 'HEAD');
  const o = { dir, branch: 'pipeline/deploys', file: 'deploys/production.jsonl', environment: 'production' };
  const r1 = await recordToGit(entry('d1'), o);
  const r2 = await recordToGit(entry('d2', { kind: 'rollback', result: 'rolled-back', actor: 'octocat', message: 'v3 broke' }), o);
  assert.is(r1.pushed, false);
  assert.is(git(dir, 'rev-parse', 'refs/heads/pipeline/deploys'), r2.commit);
  assert.is(git(dir, 'rev-parse', `${r2.commit}^`), r1.commit);
  assert.is(git(dir, 'rev-list', '--count', r1.commit), '1');
  assert.is(git(dir, 'log', '-1', '--format=%an <%ae>', r1.commit), 'Jane Doe <jane@example.com>');
  assert.is(git(dir, 'log', '-1', '--format=%an', r2.commit), 'octocat');
  assert.is(git(dir, 'log', '-1', '--format=%s', r2.commit), 'rollback production: aaaaaaa → bbbbbbb rolled-back');
  assert.match(git(dir, 'log', '-1', '--format=%b', r2.commit), /deploy id: d2\nactor: octocat\nfrom: sha256:a{64}\nto: sha256:b{64}\nduration: 4.2 s\nmessage: v3 broke/);
  assert.equal(git(dir, 'ls-tree', '-r', '--name-only', r2.commit), 'deploys/production.jsonl');
  const rec = await readGitRecord(o);
  assert.equal(rec.map((e) => [e.environment, e.deployId, e.result]), [['production', 'd1', 'ok'], ['production', 'd2', 'rolled-back']]);
  assert.equal(rec[0].to, { digest: d('b'), sha: 'bbbbbbb' });
  // The user's checkout: same HEAD, same branch, the local edit still there and still unstaged.
  assert.is(git(dir, 'rev-parse', 'HEAD'), head);
  assert.is(git(dir, 'symbolic-ref', '--short', 'HEAD'), 'main');
  assert.is(git(dir, 'status', '--porcelain'), 'M pipeline.yml');
  assert.is(readFileSync(join(dir, 'pipeline.yml'), 'utf8'), 'version: 1\n# local edit\n');
});

test('with a bare remote: pushed; a record made meanwhile elsewhere is kept (fetched, appended on top)', async () => {
  const bare = tempDir('git-record-bare-');
  git(bare, 'init', '-q', '--bare');
  const a = workRepo();
  const b = workRepo();
  const o = { branch: 'pipeline/deploys', file: 'deploys/staging.jsonl', remote: bare, environment: 'staging' };
  const r1 = await recordToGit(entry('a1'), { ...o, dir: a });
  assert.is(r1.pushed, true);
  assert.is(git(bare, 'rev-parse', 'refs/heads/pipeline/deploys'), r1.commit);
  // Runner b never fetched: its record lands on top of a's.
  const r2 = await recordToGit(entry('b1'), { ...o, dir: b });
  assert.is(git(bare, 'rev-parse', 'refs/heads/pipeline/deploys'), r2.commit);
  assert.is(git(bare, 'rev-parse', `${r2.commit}^`), r1.commit);
  // Runner a's local branch is now behind: the next record still goes on top of the remote's.
  const r3 = await recordToGit(entry('a2'), { ...o, dir: a });
  assert.equal((await readGitRecord({ ...o, dir: a })).map((e) => e.deployId), ['a1', 'b1', 'a2']);
  assert.is(git(bare, 'rev-parse', 'refs/heads/pipeline/deploys'), r3.commit);
  assert.equal(git(bare, 'show', `${r3.commit}:deploys/staging.jsonl`).split('\n').map((l) => JSON.parse(l).deployId), ['a1', 'b1', 'a2']);
});

test('diverged local and remote branches (an earlier push failed) are joined: no line lost', async () => {
  const bare = tempDir('git-record-bare-');
  git(bare, 'init', '-q', '--bare');
  const a = workRepo();
  const b = workRepo();
  const file = 'deploys.jsonl';
  await recordToGit(entry('local-only'), { dir: a, branch: 'deploys', file });
  await recordToGit(entry('remote-1'), { dir: b, branch: 'deploys', file, remote: bare });
  const r = await recordToGit(entry('joined'), { dir: a, branch: 'deploys', file, remote: bare });
  assert.is(r.pushed, true);
  assert.is(git(a, 'rev-list', '--parents', '-n', '1', r.commit).split(' ').length, 3);
  assert.equal(git(bare, 'show', `deploys:${file}`).split('\n').map((l) => JSON.parse(l).deployId), ['remote-1', 'local-only', 'joined']);
});

test('no repository, an unreachable remote: clear errors', async () => {
  const plain = tempDir('git-record-none-');
  await checkGitRecord({ dir: plain }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /to be inside a git repository/));
  await recordToGit(entry('x'), { dir: workRepo(), branch: 'deploys', file: 'x.jsonl', remote: join(plain, 'missing.git') }).then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, /history.git: cannot reach .*missing.git/),
  );
});

test.run();
