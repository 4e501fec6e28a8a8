import { DeployError, isDigest, type Digest } from '@pipeline/core';
import { deploy, type DeployOptions, type DeployResult } from './deploy.js';
import type { Target } from './model/target.js';
import { openTarget } from './open.js';
import { history, lastResults } from './state/history.js';
import { previousDigest } from './state/previous.js';

export interface RollbackOptions extends Omit<DeployOptions, 'image' | 'sha' | 'kind'> {
  /** A git SHA (or its prefix) or a digest; default: the version before the running one. */
  to?: string;
  /** The repository (`registry/repo`) when no container records it. */
  image?: string;
}

/** Manual rollback with the same safety as a deploy (probes, batches, automatic rollback, lock, history). */
export async function rollback(o: RollbackOptions): Promise<DeployResult> {
  if (o.target) return rollbackOn(o, o.target);
  const target = openTarget(o.env, o.image, o.secrets);
  try {
    return await rollbackOn(o, target);
  } finally {
    await target.close();
  }
}

async function rollbackOn(o: RollbackOptions, target: Target): Promise<DeployResult> {
  const all = await target.list();
  const past = await history(target, 200);
  const running = all.filter((i) => i.running);
  const current = running[0]?.digest;
  let to: { digest: Digest; sha?: string; image?: string } | undefined;
  if (!o.to) {
    // The version before the running one, but never one whose last deploy failed: after an
    // automatic rollback the containers' "previous" is the version that just failed.
    const last = lastResults(past);
    const good = (d: Digest | undefined): d is Digest => !!d && d !== current && (last.get(d) ?? 'ok') === 'ok';
    const candidates = [...running.map((i) => i.previous), current ? previousDigest(all, current) : undefined, ...past.filter((e) => e.result === 'ok').map((e) => e.to.digest)];
    const digest = candidates.find(good);
    if (digest) to = { digest, sha: all.find((i) => i.digest === digest)?.sha ?? past.find((e) => e.to.digest === digest)?.to.sha };
  } else if (isDigest(o.to)) {
    to = { digest: o.to };
  } else {
    const c = all.find((i) => i.sha?.startsWith(o.to!));
    const h = past.find((e) => e.to.sha?.startsWith(o.to!)) ?? past.find((e) => e.from?.sha?.startsWith(o.to!));
    const digest = c?.digest ?? (h?.to.sha?.startsWith(o.to) ? h.to.digest : h?.from?.digest);
    if (digest) to = { digest, sha: c?.sha ?? (h?.to.sha?.startsWith(o.to) ? h.to.sha : h?.from?.sha) };
  }
  if (!to) throw new DeployError(`Expected a version to roll back to${o.to ? ` matching ${o.to}` : ''}, got none in the ${target.kind === 'docker' ? 'containers' : 'instances'} or the history on ${target.store.where}`, { exitCode: 2 });
  const image = all.find((i) => i.digest === to!.digest)?.image ?? o.image ?? o.env.image;
  if (!image) throw new DeployError(`no repository recorded for ${to.digest}; pass image`, { exitCode: 2 });
  return deploy({ ...o, target, image: `${image}@${to.digest}`, sha: to.sha, kind: 'rollback' });
}
