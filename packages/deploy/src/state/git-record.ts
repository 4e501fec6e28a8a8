import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DeployError, shortDigest, silentLogger, type Logger } from '@pipeline/core';
import type { SimpleGit } from 'simple-git';
import { gitIdent, openGit } from '../git/open.js';
import type { HistoryEntry } from '../model/store.js';

export { gitIdent };

export interface GitRecordOptions {
  /** Any directory inside the repository; its work tree, index and HEAD are never touched. */
  dir: string;
  branch: string;
  /** Path of the JSON-lines file inside the branch. */
  file: string;
  /** Remote name or URL: fetched before and pushed after each record. */
  remote?: string;
  /** Stored in each line, so one file can hold several environments. */
  environment?: string;
  logger?: Logger;
  /** Rounds when the remote moved meanwhile (another runner recorded first). */
  attempts?: number;
}

export interface GitRecordResult { commit: string; branch: string; pushed: boolean }

const rev = (git: SimpleGit, ref: string) => git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).then((s) => s.trim() || undefined, () => undefined);
// Not `merge-base --is-ancestor`: simple-git resolves a silent exit 1 as success.
const isAncestor = (git: SimpleGit, a: string, b: string) => git.raw(['merge-base', a, b]).then((s) => s.trim() === a, () => false);
const lines = (git: SimpleGit, commit: string | undefined, file: string) =>
  commit ? git.raw(['cat-file', '-p', `${commit}:${file}`]).then((s) => s.split('\n').filter(Boolean), () => [] as string[]) : Promise.resolve([] as string[]);

/** Fails with a ConfigError (exit 2) when `dir` is not inside a git repository: checked before a deploy starts. */
export async function checkGitRecord(o: Pick<GitRecordOptions, 'dir'>): Promise<void> {
  const git = await openGit(o.dir);
  const ok = await git.raw(['rev-parse', '--git-dir']).then(() => true, () => false);
  if (!ok) throw new ConfigError(`history.git: Expected ${o.dir} to be inside a git repository, got none`, undefined, 'git init it, or point history.git.repo at the deploy repository');
}

/**
 * The GitOps record: appends the entry as one JSON line to `file` on `branch` and commits it with
 * the actor as author, by plumbing (blob → temporary index → tree → commit → compare-and-swap ref),
 * so the user's checkout is left alone. With a remote, the branch is fetched first and pushed after;
 * if the remote moved, the two histories are joined (the file is the union of their lines) and pushed again.
 */
export async function recordToGit(e: HistoryEntry, o: GitRecordOptions): Promise<GitRecordResult> {
  const log = o.logger ?? silentLogger;
  const ref = `refs/heads/${o.branch}`;
  const tracking = `refs/pipeline/record/${o.branch}`;
  const tmp = await mkdtemp(join(tmpdir(), 'pipeline-record-'));
  const who = gitIdent(e.actor);
  const git = await openGit(o.dir, { GIT_INDEX_FILE: join(tmp, 'index'), GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email });
  const line = JSON.stringify(o.environment ? { environment: o.environment, ...e } : e);
  try {
    const attempts = o.attempts ?? 4;
    for (let round = 1; ; round++) {
      const local = await rev(git, ref);
      let remote: string | undefined;
      if (o.remote) {
        const listed = await git.raw(['ls-remote', '--heads', o.remote, ref]).catch((err: Error) => {
          throw new DeployError(`history.git: cannot reach ${o.remote}: ${err.message.trim()}`, { cause: err });
        });
        if (listed.trim()) {
          await git.raw(['fetch', '--quiet', '--no-tags', o.remote, `+${ref}:${tracking}`]);
          remote = await rev(git, tracking);
        }
      }
      // Parents: the newer of the two tips, or both when they diverged (an earlier push failed).
      let parents: string[] = [];
      if (local && remote && local !== remote) {
        if (await isAncestor(git, local, remote)) parents = [remote];
        else if (await isAncestor(git, remote, local)) parents = [local];
        else parents = [remote, local];
      } else if (local ?? remote) parents = [(local ?? remote)!];
      const have = await lines(git, parents[0], o.file);
      if (parents[1]) for (const l of await lines(git, parents[1], o.file)) if (!have.includes(l)) have.push(l);
      if (!have.includes(line)) have.push(line);
      const blobFile = join(tmp, 'blob');
      await writeFile(blobFile, have.join('\n') + '\n');
      const blob = (await git.raw(['hash-object', '-w', '--', blobFile])).trim();
      await git.raw(parents[0] ? ['read-tree', parents[0]] : ['read-tree', '--empty']);
      await git.raw(['update-index', '--add', '--cacheinfo', `100644,${blob},${o.file}`]);
      const tree = (await git.raw(['write-tree'])).trim();
      const v = (x: { digest: string; sha?: string }) => x.sha?.slice(0, 12) ?? shortDigest(x.digest as never);
      const subject = `${e.kind}${o.environment ? ` ${o.environment}` : ''}: ${e.from ? `${v(e.from)} → ` : ''}${v(e.to)} ${e.result}`;
      const body = [`deploy id: ${e.deployId}`, `actor: ${e.actor}`, `from: ${e.from?.digest ?? '(nothing)'}`, `to: ${e.to.digest}`, `duration: ${(e.durationMs / 1000).toFixed(1)} s`, ...(e.message ? [`message: ${e.message}`] : [])].join('\n');
      const commit = (await git.raw(['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', subject, '-m', body])).trim();
      // Compare-and-swap: a concurrent local record makes this fail, and the round starts over.
      const swapped = await git.raw(['update-ref', '-m', 'pipeline: record deploy', ref, commit, local ?? '']).then(() => true, () => false);
      if (swapped && !o.remote) return { commit, branch: o.branch, pushed: false };
      if (swapped) {
        const pushed = await git.raw(['push', '--quiet', '--porcelain', o.remote!, `${commit}:${ref}`]).then(() => true, (err: Error) => {
          log.warn(`history.git: push to ${o.remote} rejected (${err.message.trim().split('\n').pop()}); retrying on top of it`);
          return false;
        });
        if (pushed) return { commit, branch: o.branch, pushed: true };
      }
      if (round >= attempts) throw new DeployError(`history.git: could not record ${e.deployId} on ${o.branch}${o.remote ? ` and push it to ${o.remote}` : ''} after ${attempts} attempts`, { hint: 'the entry is still on the hosts: pipeline history shows it' });
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The entries recorded on the local branch, oldest first. */
export async function readGitRecord(o: Pick<GitRecordOptions, 'dir' | 'branch' | 'file'>): Promise<(HistoryEntry & { environment?: string })[]> {
  const git = await openGit(o.dir);
  return (await lines(git, await rev(git, `refs/heads/${o.branch}`), o.file)).map((l) => JSON.parse(l) as HistoryEntry & { environment?: string });
}
