import type { SourcePosition } from '@pipeline/core';

/** Where a key of a config block sits in pipeline.yml (`file`, `name`, `paths.tag`…), for errors found later. */
export type KeyPosition = (key?: string) => SourcePosition | undefined;

interface EditBase {
  /** Path inside the manifests repository (a directory for flux markers). */
  file: string;
  at?: KeyPosition;
}

/** A kustomization's `images:` entry `name`: newName, newTag and digest set. */
export interface KustomizeEdit extends EditBase {
  kind: 'kustomize';
  name: string;
  /** true: newTag follows the deployed tag (kustomize renders name:tag@digest); false: newTag is removed, only the digest stays. */
  keepTag: boolean;
}

export const HELM_FIELDS = ['image', 'registry', 'repository', 'tag', 'digest'] as const;
export type HelmField = (typeof HELM_FIELDS)[number];

/** Helm values at dotted paths (`image.tag`); `image` is one field holding the whole reference. */
export interface HelmEdit extends EditBase {
  kind: 'helm';
  paths: Partial<Record<HelmField, string>>;
}

/** The `image:` of the named container in the workloads of a plain manifest file. */
export interface ManifestEdit extends EditBase {
  kind: 'manifest';
  container: string;
  /** `Kind/name` or `Kind`: only that workload when several hold a container of that name. */
  workload?: string;
}

/** Flux image-automation setter markers for a policy: `# {"$imagepolicy": "ns:policy[:tag|:name|:digest]"}`. */
export interface FluxEdit extends EditBase {
  kind: 'flux';
  policy: string;
}

export type GitopsEdit = KustomizeEdit | HelmEdit | ManifestEdit | FluxEdit;

/** `verify:` of a gitops environment: what must show the new version before the deploy counts. */
export interface VerifyConfig {
  /** A URL whose response shows the deployed version (the image digest or the git SHA). */
  http?: {
    url: string;
    /** Look in this response header; else in the body. */
    header?: string;
    /** Which version string must appear. */
    match: 'digest' | 'sha';
  };
  /** A command that exits 0 once the rollout is done (`kubectl rollout status …`, `argocd app wait …`, `flux …`). */
  command?: string[];
  /** The deadline, from the push, in ms. */
  timeout: number;
  /** Between attempts, in ms. */
  interval: number;
}

/** The manifests repository of a gitops environment. */
export interface GitopsRepository {
  /** Anything `git fetch` takes: https://…, ssh://…, git@host:path, a path. */
  url: string;
  branch: string;
  /** Name of the environment variable holding an https token. */
  tokenEnv?: string;
  username?: string;
  at?: KeyPosition;
}

/** `image.tag`, `images[0].tag`, `sidecars.0.image` → path segments; undefined when malformed. */
export function parseValuesPath(path: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m || (!m[1] && !m[2])) return undefined;
    if (m[1]) out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    for (const i of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(i[1]));
  }
  return out.length ? out : undefined;
}
