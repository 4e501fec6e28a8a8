import * as core from '@actions/core';
import { mask } from '@pipeline/core';
import { mainImage, reference, type ActionReport } from './report.js';

/** The outputs action.yml declares, all set by writeOutputs. */
export const OUTPUTS = ['digest', 'image', 'tags', 'metadata', 'deployed', 'rolled-back', 'deploy-result'] as const;

/** Every output is set, also after a failure (empty or false): `if:` conditions downstream can rely on them. */
export function writeOutputs(r: ActionReport): void {
  const main = mainImage(r);
  const d = r.deploy;
  const set = (name: (typeof OUTPUTS)[number], value: string) => core.setOutput(name, mask(value));
  set('digest', main?.digest ?? '');
  set('image', reference(main));
  set('tags', (main?.tags ?? []).join('\n'));
  set('metadata', JSON.stringify({ images: r.images, commit: r.facts?.git ? { sha: r.facts.git.sha, branch: r.facts.git.branch, tags: r.facts.git.tags, source: r.facts.git.remoteUrl } : undefined, run: r.facts?.runUrl }));
  set('deployed', String(d?.result === 'deployed' || d?.result === 'unchanged'));
  set('rolled-back', String(d?.result === 'rolled-back'));
  set('deploy-result', d ? JSON.stringify({ environment: d.environment, result: d.result, deployId: d.deployId, image: d.image, from: d.previous, to: d.digest, sha: d.sha, actor: d.actor, durationMs: d.durationMs, instances: d.instances, failure: d.failure, rollback: d.rollback }) : '');
}
