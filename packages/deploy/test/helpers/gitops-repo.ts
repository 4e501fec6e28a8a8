// A manifests repository for gitops tests: a bare remote that refuses non-fast-forward pushes and logs
// every update of its branches (so a test can prove nothing was forced), seeded from `files`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tempDir } from '../../../../test/lib/tmp.js';

const ENV = { GIT_AUTHOR_NAME: 'seed', GIT_AUTHOR_EMAIL: 'seed@x', GIT_COMMITTER_NAME: 'seed', GIT_COMMITTER_EMAIL: 'seed@x', GIT_CONFIG_NOSYSTEM: '1' };
export const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });

let root: string | undefined;
/** A fresh directory under one temp dir per test process (removed when it exits). */
export const scratch = (prefix: string) => mkdtempSync(join((root ??= tempDir('gitops-test-')), prefix));

export interface ManifestsRemote { bare: string; branch: string; show(path: string, rev?: string): string; tip(): string; commit(files: Record<string, string>, message: string): string }

export function manifestsRemote(files: Record<string, string>, branch = 'main'): ManifestsRemote {
  const bare = join(scratch('remote-'), 'manifests.git');
  git(dirname(bare), 'init', '-q', '--bare', '-b', branch, bare);
  git(bare, 'config', 'receive.denyNonFastForwards', 'true');
  git(bare, 'config', 'core.logAllRefUpdates', 'always');
  const remote: ManifestsRemote = {
    bare,
    branch,
    show: (path, rev = branch) => git(bare, 'show', `${rev}:${path}`),
    tip: () => git(bare, 'rev-parse', branch).trim(),
    /** Another pipeline (or a person) pushing a commit, the ordinary way: clone, edit, commit, push. */
    commit(changes, message) {
      const work = mkdtempSync(join(tmpdir(), 'gitops-work-'));
      try {
      git(work, 'init', '-q', '-b', branch);
      let has = true;
      try {
        git(bare, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`);
      } catch {
        has = false;
      }
      if (has) git(work, 'pull', '-q', bare, branch);
      for (const [p, text] of Object.entries(changes)) {
        mkdirSync(dirname(join(work, p)), { recursive: true });
        writeFileSync(join(work, p), text);
      }
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', message);
      git(work, 'push', '-q', bare, `HEAD:refs/heads/${branch}`);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
      return remote.tip();
    },
  };
  try {
    remote.commit(files, 'seed');
  } catch (e) {
    throw new Error(`seeding the manifests repository failed: ${(e as Error).message}`);
  }
  return remote;
}

/** Every update of the branch on the remote, oldest first: [old, new] commit ids. */
export function branchUpdates(r: ManifestsRemote): [string, string][] {
  const log = git(r.bare, 'reflog', 'show', '--format=%H', `refs/heads/${r.branch}`).trim().split('\n').reverse();
  return log.slice(1).map((c, i) => [log[i], c]);
}
