import { DeployError, shortDigest, silentLogger, type Logger } from '@pipeline/core';
import type { GitopsEnvironment } from '../../config/types.js';
import { planEdits, readEdits, writeChanges, type ManifestFiles, type WrittenFiles } from './edits/plan.js';
import { land, type Landed } from './git/land.js';
import { formatDeployMessage, type DeployCommitInfo } from './git/message.js';
import type { ManifestRepo } from './git/repo.js';
import { formatImage, shaOfTag, type DesiredImage, type ImageVersion } from './image.js';
import { invert, type FieldChange } from './yaml/fields.js';

/** Who commits and why: the parts of the audit message that do not come from the manifests. */
export interface CommitContext {
  deployId: string;
  kind: 'deploy' | 'rollback';
  actor: string;
  message?: string;
  ciRun?: string;
  logger?: Logger;
  signal?: AbortSignal;
}

/** A version as the manifests name it, with the SHA its tag names (if it names one). */
export type NamedVersion = ImageVersion & { sha?: string };

/** What a deploy commit changed, kept for its revert. */
export interface Committed {
  landed: Landed;
  written: WrittenFiles;
  from?: NamedVersion;
}

/** The version the first edit's fields point at. */
export async function currentVersion(files: ManifestFiles, env: GitopsEnvironment): Promise<NamedVersion | undefined> {
  const [first] = await readEdits(files, env.edits.slice(0, 1));
  const v = first?.versions[0]?.version;
  return v ? { ...v, sha: shaOfTag(v.tag) } : undefined;
}

const fileLines = (w: WrittenFiles) => [...w.texts.keys()].map((f) => `${f} (${[...new Set(w.applied.filter((c) => c.file === f).map((c) => c.label))].join(', ')})`);

/** Commits the edits that put `desired` in place, re-planned on each tip until the push lands; nothing to change: no commit. */
export async function commitVersion(repo: ManifestRepo, env: GitopsEnvironment, desired: DesiredImage, c: CommitContext): Promise<Committed> {
  let written: WrittenFiles = { texts: new Map(), applied: [], conflicts: [] };
  let from: NamedVersion | undefined;
  const landed = await land({
    repo,
    actor: c.actor,
    attempts: env.push.attempts,
    maxDelayMs: env.push.maxDelay,
    signal: c.signal,
    logger: c.logger,
    build: async (_tip, files) => {
      from = await currentVersion(files, env);
      written = await writeChanges(files, await planEdits(files, env.edits, desired));
      const info: DeployCommitInfo = { kind: c.kind, deployId: c.deployId, environment: env.name, actor: c.actor, from, to: desired, ciRun: c.ciRun, message: c.message, files: fileLines(written) };
      return written.texts.size ? { texts: written.texts, message: formatDeployMessage(info) } : undefined;
    },
  });
  const log = c.logger ?? silentLogger;
  if (landed.commit) log.info(`gitops ${env.name}: pushed ${landed.commit.slice(0, 12)} to ${env.repository.branch} (${formatImage(desired)})${landed.rounds > 1 ? ` after ${landed.rounds} rounds` : ''}`);
  else log.info(`gitops ${env.name}: the manifests already point at ${shortDigest(desired.digest)}; nothing to commit`);
  return { landed, written, from };
}

/**
 * Takes a deploy commit back on whatever tip the branch has now: a file still exactly as the deploy
 * wrote it gets its old bytes back; otherwise the fields set together (one images: entry, one values
 * block) go back together, and only where they all still hold what the deploy wrote: a later change
 * by someone else is never undone.
 */
export async function revertCommit(repo: ManifestRepo, env: GitopsEnvironment, done: Committed, desired: DesiredImage, c: CommitContext, reason: string): Promise<{ commit?: string; why?: string; files: number }> {
  const ours = repo.source(done.landed.commit!);
  const before = repo.source(done.landed.parent);
  const group = (x: FieldChange) => `${x.doc}/${x.parent.join('/')}`;
  let skipped: string[] = [];
  let files = 0;
  const r = await land({
    repo,
    actor: c.actor,
    attempts: env.push.attempts,
    maxDelayMs: env.push.maxDelay,
    logger: c.logger,
    build: async (_tip, current) => {
      const texts = new Map<string, string>();
      skipped = [];
      for (const path of done.written.texts.keys()) {
        if ((await current.source.read(path)) === (await ours.read(path))) {
          const old = await before.read(path);
          if (old !== undefined) texts.set(path, old);
          continue;
        }
        const inverse = done.written.applied.filter((x) => x.file === path).map(invert);
        const moved = new Set((await writeChanges(current, inverse)).conflicts.map((x) => group(x.change)));
        skipped.push(...inverse.filter((x) => moved.has(group(x))).map((x) => `${x.label} (changed since)`));
        const t = (await writeChanges(current, inverse.filter((x) => !moved.has(group(x))))).texts.get(path);
        if (t !== undefined) texts.set(path, t);
      }
      files = texts.size;
      if (!texts.size) return undefined;
      const info: DeployCommitInfo = { kind: 'revert', deployId: c.deployId, environment: env.name, actor: c.actor, from: desired, to: done.from ?? { name: desired.name }, ciRun: c.ciRun, reverts: done.landed.commit, reason, files: [...texts.keys()] };
      return { texts, message: formatDeployMessage(info) };
    },
  });
  if (skipped.length) (c.logger ?? silentLogger).warn(`gitops ${env.name}: left as others changed them since: ${skipped.join('; ')}`);
  if (!r.commit) return { files: 0, why: `the branch moved on since ${done.landed.commit!.slice(0, 12)} and nothing still holds only the failed version${skipped.length ? ` (${skipped.join('; ')})` : ''}` };
  return { commit: r.commit, files };
}

/** A revert that could not land at all (the push kept failing) is the deploy's failure too. */
export function revertFailed(env: GitopsEnvironment, e: unknown): DeployError {
  return new DeployError(`gitops ${env.name}: the revert could not be pushed: ${(e as Error).message}`, { cause: e });
}
