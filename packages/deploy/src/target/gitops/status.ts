import type { Logger } from '@pipeline/core';
import type { GitopsEnvironment } from './config.js';
import { openManifestRepo } from './deploy.js';
import { editName } from './edits/types.js';
import { ManifestFiles, readEdits } from './edits/plan.js';
import type { ImageVersion } from './image.js';
import { httpCheck } from './verify/http.js';

export interface GitopsStatus {
  tip: string;
  /** Per edit: the image each of its fields points at, and where. */
  edits: { edit: string; versions: { version: ImageVersion; where: string }[] }[];
  /** One digest across every edit, or undefined when they disagree (a half-edited repository). */
  digest?: string;
  /** With verify.http: what the URL serves now, and whether it shows that digest. */
  served?: { ok: boolean; detail: string };
}

/** The digest each edit points at on the branch tip and, with verify.http, what is served. */
export async function gitopsStatus(env: GitopsEnvironment, o: { token?: string; logger?: Logger } = {}): Promise<GitopsStatus> {
  const repo = await openManifestRepo(env, o);
  try {
    const tip = await repo.fetch();
    const readings = await readEdits(new ManifestFiles(repo.source(tip)), env.edits);
    const digests = new Set(readings.flatMap((r) => r.versions.map((v) => v.version.digest ?? '')));
    const status: GitopsStatus = { tip, edits: readings.map((r) => ({ edit: editName(r.edit), versions: r.versions })), digest: digests.size === 1 ? [...digests][0] || undefined : undefined };
    const v = readings[0]?.versions[0]?.version;
    if (env.verify?.http && status.digest && v) {
      status.served = await httpCheck(env.verify.http, { environment: env.name, image: v.name, digest: status.digest, tag: v.tag, sha: v.tag, commit: tip }, Math.min(10_000, env.verify.timeout));
    }
    return status;
  } finally {
    await repo.close();
  }
}
