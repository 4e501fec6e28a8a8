import { randomBytes } from 'node:crypto';
import { DeployError, shortDigest, silentLogger, type Logger } from '@pipeline/core';
import type { GitopsEnvironment } from './config.js';
import { planEdits, readEdits, writeChanges, type ManifestFiles, type WrittenFiles } from './edits/plan.js';
import { editName } from './edits/types.js';
import { land, type Landed } from './git/land.js';
import { formatDeployMessage, type DeployCommitInfo } from './git/message.js';
import { ManifestRepo } from './git/repo.js';
import { formatImage, shaOfTag, type DesiredImage, type ImageVersion } from './image.js';
import { verifyRollout } from './verify/poll.js';
import type { VerifyVerdict } from './verify/types.js';
import { invert, type FieldChange } from './yaml/fields.js';

export interface GitopsDeployOptions {
  env: GitopsEnvironment;
  desired: DesiredImage;
  actor: string;
  ciRun?: string;
  kind?: 'deploy' | 'rollback';
  token?: string;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface GitopsDeployResult {
  deployId: string;
  /** The deploy commit; undefined when the manifests already pointed at the image (nothing committed). */
  commit?: string;
  from?: ImageVersion & { sha?: string };
  changes: FieldChange[];
  rounds: number;
  verify?: VerifyVerdict;
}

export const newDeployId = () => `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;

export function openManifestRepo(env: GitopsEnvironment, o: { token?: string; logger?: Logger }): Promise<ManifestRepo> {
  return ManifestRepo.open({ url: env.repository.url, branch: env.repository.branch, token: o.token, username: env.repository.username, logger: o.logger });
}

/** The version the first edit's fields point at, with the SHA its tag names (if it names one). */
export async function currentVersion(files: ManifestFiles, env: GitopsEnvironment): Promise<(ImageVersion & { sha?: string }) | undefined> {
  const [first] = await readEdits(files, env.edits.slice(0, 1));
  const v = first?.versions[0]?.version;
  return v ? { ...v, sha: shaOfTag(v.tag) } : undefined;
}

const fileLines = (w: WrittenFiles) => [...w.texts.keys()].map((f) => `${f} (${[...new Set(w.applied.filter((c) => c.file === f).map((c) => c.label))].join(', ')})`);

/**
 * The deploy: commit the edits (re-planned on each tip until the push lands), then verify; a failed
 * verify pushes a revert the same way and throws DeployError (exit 1). Nothing to change: no commit.
 */
export async function gitopsDeploy(o: GitopsDeployOptions): Promise<GitopsDeployResult> {
  const log = o.logger ?? silentLogger;
  const env = o.env;
  const deployId = newDeployId();
  const repo = await openManifestRepo(env, o);
  try {
    let written: WrittenFiles | undefined;
    let from: GitopsDeployResult['from'];
    const info = (w: WrittenFiles): DeployCommitInfo => ({ kind: o.kind ?? 'deploy', deployId, environment: env.name, actor: o.actor, from, to: o.desired, ciRun: o.ciRun, files: fileLines(w) });
    const landed = await land({
      repo,
      actor: o.actor,
      attempts: env.push.attempts,
      maxDelayMs: env.push.maxDelay,
      signal: o.signal,
      logger: log,
      build: async (_tip, files) => {
        from = await currentVersion(files, env);
        written = await writeChanges(files, await planEdits(files, env.edits, o.desired));
        return written.texts.size ? { texts: written.texts, message: formatDeployMessage(info(written)) } : undefined;
      },
    });
    const result: GitopsDeployResult = { deployId, commit: landed.commit, from, changes: written?.applied ?? [], rounds: landed.rounds };
    if (!landed.commit) {
      log.info(`gitops ${env.name}: the manifests already point at ${shortDigest(o.desired.digest)}; nothing to commit`);
      return result;
    }
    log.info(`gitops ${env.name}: pushed ${landed.commit.slice(0, 12)} (${formatImage(o.desired)})${landed.rounds > 1 ? ` after ${landed.rounds} rounds` : ''}`);
    if (!env.verify) return result;
    result.verify = await verifyRollout(env.verify, { environment: env.name, image: o.desired.name, digest: o.desired.digest, sha: o.desired.sha, tag: o.desired.tag, commit: landed.commit }, { signal: o.signal, logger: log });
    if (result.verify.ok) {
      log.info(`gitops ${env.name}: verified in ${(result.verify.ms / 1000).toFixed(1)} s: ${result.verify.reason}`);
      return result;
    }
    const reverted = await revert(repo, o, deployId, landed, written!, from, result.verify.reason);
    throw new DeployError(
      [
        `gitops ${env.name}: ${o.kind ?? 'deploy'} ${deployId} of ${formatImage(o.desired)} failed verification: ${result.verify.reason}`,
        reverted.commit ? `reverted in ${reverted.commit.slice(0, 12)}: the manifests point at ${from ? formatImage(from) : 'the previous image'} again` : `NOT reverted: ${reverted.why}`,
      ].join('\n'),
      { state: { ...result, revert: reverted } },
    );
  } finally {
    await repo.close();
  }
}

/**
 * Takes the deploy back on whatever tip the branch has now: a file still exactly as the deploy wrote
 * it gets its old bytes back; otherwise each field the deploy set is put back only where it still
 * holds the deployed value (a later deploy by someone else is never undone).
 */
async function revert(repo: ManifestRepo, o: GitopsDeployOptions, deployId: string, landed: Landed, written: WrittenFiles, from: GitopsDeployResult['from'], reason: string): Promise<{ commit?: string; why?: string }> {
  const log = o.logger ?? silentLogger;
  const ours = new ManifestFilesOf(repo, landed.commit!);
  const before = new ManifestFilesOf(repo, landed.parent);
  let skipped: string[] = [];
  const r = await land({
    repo,
    actor: o.actor,
    attempts: o.env.push.attempts,
    maxDelayMs: o.env.push.maxDelay,
    logger: log,
    build: async (_tip, files) => {
      const texts = new Map<string, string>();
      skipped = [];
      for (const path of written.texts.keys()) {
        const now = await files.source.read(path);
        if (now === (await ours.read(path))) {
          const old = await before.read(path);
          if (old !== undefined) texts.set(path, old);
          continue;
        }
        // Fields set together (one images: entry, one values block) go back together or not at all.
        const group = (c: FieldChange) => `${c.doc}/${c.parent.join('/')}`;
        const inverse = written.applied.filter((c) => c.file === path).map(invert);
        const moved = new Set((await writeChanges(files, inverse)).conflicts.map((c) => group(c.change)));
        skipped.push(...inverse.filter((c) => moved.has(group(c))).map((c) => `${c.label} (${c.before ?? 'absent'} no longer there)`));
        const back = await writeChanges(files, inverse.filter((c) => !moved.has(group(c))));
        const t = back.texts.get(path);
        if (t !== undefined) texts.set(path, t);
      }
      if (!texts.size) return undefined;
      const info: DeployCommitInfo = { kind: 'revert', deployId, environment: o.env.name, actor: o.actor, from: o.desired, to: from ?? { name: o.desired.name }, ciRun: o.ciRun, reverts: landed.commit, reason, files: [...texts.keys()] };
      return { texts, message: formatDeployMessage(info) };
    },
  });
  if (skipped.length) log.warn(`gitops ${o.env.name}: left as others changed them since: ${skipped.join('; ')}`);
  if (!r.commit) return { why: `the branch moved on since ${landed.commit!.slice(0, 12)} and no field still holds the failed version${skipped.length ? ` (${skipped.join('; ')})` : ''}` };
  return { commit: r.commit };
}

/** Files of one fixed commit (the deploy's own, or its parent). */
class ManifestFilesOf {
  constructor(private readonly repo: ManifestRepo, private readonly commit: string) {}
  read(path: string): Promise<string | undefined> {
    return this.repo.source(this.commit).read(path);
  }
}

export { editName };
