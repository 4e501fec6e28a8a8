import { setTimeout as sleep } from 'node:timers/promises';
import { DeployError, silentLogger, type Logger } from '@pipeline/core';
import { ManifestFiles } from '../edits/plan.js';
import type { ManifestRepo } from './repo.js';

export interface LandChange {
  /** New text of each changed file. */
  texts: Map<string, string>;
  message: string;
}

export interface LandOptions {
  repo: ManifestRepo;
  /** The change, worked out afresh on each tip: a branch that moved is edited again, never rebased as text. undefined: nothing to change. */
  build(tip: string, files: ManifestFiles): Promise<LandChange | undefined>;
  actor: string;
  /** Rounds before giving up while others keep pushing first. */
  attempts?: number;
  /** Cap of the random wait between rounds. */
  maxDelayMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface Landed {
  /** The pushed commit; undefined when the tip already held the change. */
  commit?: string;
  /** The tip it went on (or that already held it). */
  parent: string;
  rounds: number;
}

/**
 * Fetch the tip, build the change on it, commit, push without force; when the push is rejected
 * because someone else landed first, wait a random while (full jitter, growing) and do it all again.
 */
export async function land(o: LandOptions): Promise<Landed> {
  const log = o.logger ?? silentLogger;
  const attempts = o.attempts ?? 30;
  const cap = o.maxDelayMs ?? 2000;
  for (let round = 1; ; round++) {
    if (o.signal?.aborted) throw new DeployError('gitops: interrupted before the change was pushed; nothing was committed');
    const tip = await o.repo.fetch();
    const change = await o.build(tip, new ManifestFiles(o.repo.source(tip)));
    if (!change || change.texts.size === 0) return { parent: tip, rounds: round };
    const commit = await o.repo.commit(tip, change.texts, change.message, o.actor);
    const r = await o.repo.push(commit);
    if (r.pushed) return { commit, parent: tip, rounds: round };
    if (round >= attempts) throw new DeployError(`gitops: the branch kept moving: ${attempts} pushes rejected (last: ${r.reason}); nothing of this deploy was committed`, { hint: 'run the deploy again; raise gitops push attempts if many pipelines deploy to this branch at once' });
    const wait = Math.random() * Math.min(cap, 50 * 2 ** round);
    log.debug(`gitops: push rejected (${r.reason}); round ${round + 1} in ${Math.round(wait)} ms on the new tip`);
    await sleep(wait, undefined, { signal: o.signal }).catch(() => undefined);
  }
}
