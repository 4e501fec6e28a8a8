import type { Digest } from '@pipeline/core';

/** What a deploy would change, without values. `host` is the place: a host URL, a Swarm service. */
export interface DeployDiff {
  /** Per place: running digests → the new one. */
  image: { host: string; from: Digest[]; to: Digest }[];
  env: { added: string[]; removed: string[]; changed: string[] };
  replicas: { host: string; from: number; to: number }[];
  ports: { from: string[]; to: string[] };
  /** Other settings that differ (a Swarm service's spec fields), by name. */
  settings?: { host: string; changed: string[] }[];
  /** Exact text changes a deploy would commit (a manifests repository), as unified diffs per file. */
  patches?: { file: string; diff: string }[];
  changed: boolean;
}
