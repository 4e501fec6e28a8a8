import { PipelineError } from '@pipeline/core';
import type { PlannedImage, TagPlan } from './plan.js';

const short = (d?: string) => (d ?? '').replace(/^sha256:/, '').slice(0, 12);

const HINTS: Record<TagPlan['kind'], string> = {
  sha: "a commit's image never changes, and this one would (its bases changed since it was pushed): commit again, or push only the bases (pipeline build --push IMAGE…)",
  unique: 'a tag that names one build must not name another: make tag-policy.unique name the build ({inputs} is unique for sure)',
  version: "bump the image's version, or let version tags follow the latest build (tag-policy.version-tags: move, the default; each build also gets a unique tag)",
  alias: '',
};

function refuse(found: { p: PlannedImage; t: TagPlan }[]): never {
  const what = { sha: "a commit's SHA tag", unique: 'the unique tag of a build', version: 'a version tag, immutable by tag-policy', alias: 'a tag' };
  const lines = found.map(({ p, t }) => `${p.destination!.name}:${t.tag} (${what[t.kind]}) points at ${short(t.from)}`);
  const hints = [...new Set(found.map(({ t }) => HINTS[t.kind]).filter(Boolean))];
  throw new PipelineError('registry', `${found.length} immutable tag(s) would have to move; nothing was built or pushed:\n  ${lines.join('\n  ')}`, {
    exitCode: 2,
    hint: `${hints.join('; ')}; --force moves them`,
  });
}

/** The run stops here, before anything is built or pushed, if any immutable tag would have to move. */
export function assertNoConflicts(plan: PlannedImage[]): void {
  const found = plan.flatMap((p) => (!p.selected || p.action === 'skip' ? [] : p.tags.filter((t) => t.state === 'conflict').map((t) => ({ p, t }))));
  if (found.length) refuse(found);
}

/** Immutable tags pipeline did not write are compared once the images are built, still before any push. */
export function conflictsAfterBuild(plan: PlannedImage[], ready: Map<string, { digest: string }>): void {
  const found: { p: PlannedImage; t: TagPlan }[] = [];
  for (const p of plan) {
    const digest = ready.get(p.name)?.digest;
    for (const t of p.tags) {
      if (t.state !== 'check' || !digest) continue;
      if (t.from === digest) t.state = 'same';
      else found.push({ p, t });
    }
  }
  if (found.length) refuse(found);
}
