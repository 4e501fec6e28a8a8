import { ociLabels, type Dockerfile, type GitInfo } from '@pipeline/build';
import type { PipelineConfig } from '../config/index.js';
import { chainOf, parentsOf } from '../config/index.js';
import type { InputTime } from './input-time.js';

const unquote = (s: string) => s.replace(/^["']|["']$/g, '');

/** Label keys the final stage of a Dockerfile sets itself. */
function ownLabels(df: Dockerfile): Set<string> {
  const last = df.stages[df.stages.length - 1];
  const keys = new Set<string>();
  for (const ins of last.instructions) if (ins.kind === 'LABEL') for (const p of ins.pairs) keys.add(unquote(p.key.text));
  return keys;
}

/**
 * The labels pipeline puts on an image: OCI's (revision and created from the last change of its
 * inputs, never HEAD; title; version), and the version label of its bases restated. Docker keeps
 * labels from the base, so an app built on a middleware built on `LABEL version=1.0.0` would say
 * `version=1.0.0`: the OS's version, not its own. The label a base's `version: { label: … }` reads
 * is set to this image's own version instead (the same as org.opencontainers.image.version),
 * unless its Dockerfile sets that label itself.
 */
export function imageLabels(cfg: PipelineConfig, name: string, df: Dockerfile, o: { git?: GitInfo; time: InputTime; version?: string }): Record<string, string> {
  const revision = o.time.revision;
  const git = o.git && revision ? { ...o.git, sha: revision, short: revision.slice(0, 7), commitTime: o.time.time } : undefined;
  const version = o.version ?? revision?.slice(0, 7);
  const labels = ociLabels(git, { title: name, version });
  const own = ownLabels(df);
  const ancestors = chainOf(parentsOf(cfg.images), name).filter((n) => n !== name);
  for (const a of ancestors) {
    const v = cfg.images[a].version;
    if (v?.kind === 'label' && !own.has(v.label) && version) labels[v.label] = version;
  }
  return labels;
}
