import type { Logger } from '@pipeline/core';
import type { GitopsEnvironment } from './config.js';
import { currentVersion, openManifestRepo } from './deploy.js';
import { ManifestFiles, planEdits, writeChanges } from './edits/plan.js';
import type { DesiredImage, ImageVersion } from './image.js';

export interface GitopsDiff {
  /** The branch tip the diff is against. */
  tip: string;
  from?: ImageVersion;
  /** `git diff` of exactly what the deploy would commit; empty when it would commit nothing. */
  diff: string;
  files: string[];
}

/** What `deploy` would commit now, as git prints it. */
export async function gitopsDiff(env: GitopsEnvironment, desired: DesiredImage, o: { token?: string; logger?: Logger } = {}): Promise<GitopsDiff> {
  const repo = await openManifestRepo(env, o);
  try {
    const tip = await repo.fetch();
    const files = new ManifestFiles(repo.source(tip));
    const from = await currentVersion(files, env);
    const written = await writeChanges(files, await planEdits(files, env.edits, desired));
    return { tip, from, diff: await repo.diff(tip, written.texts), files: [...written.texts.keys()] };
  } finally {
    await repo.close();
  }
}
