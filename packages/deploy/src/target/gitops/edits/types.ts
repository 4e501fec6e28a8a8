import { ConfigError, type SourcePosition } from '@pipeline/core';
import type { DesiredImage, ImageVersion } from '../image.js';
import type { FieldChange } from '../yaml/fields.js';
import type { YamlFile } from '../yaml/file.js';

interface EditBase {
  /** Path inside the manifests repository (a directory for flux markers). */
  file: string;
  /** Where a key of this edit sits in pipeline.yml (`file`, `name`, `paths.tag`…), for errors. */
  at?: (key?: string) => SourcePosition | undefined;
}

/** A kustomization's `images:` entry `name`: newName, newTag and digest set. */
export interface KustomizeEdit extends EditBase {
  kind: 'kustomize';
  name: string;
  /** true: newTag follows the deployed tag (kustomize renders name:tag@digest); false: newTag is removed, only the digest stays. */
  keepTag: boolean;
}

/** Helm values at dotted paths (`image.tag`); `image` is one field holding the whole reference. */
export interface HelmEdit extends EditBase {
  kind: 'helm';
  paths: Partial<Record<HelmField, string>>;
}
export const HELM_FIELDS = ['image', 'registry', 'repository', 'tag', 'digest'] as const;
export type HelmField = (typeof HELM_FIELDS)[number];

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

/** What one edit points at now, with where (for status). */
export interface EditReading {
  edit: GitopsEdit;
  versions: { version: ImageVersion; where: string }[];
}

/** One kind of edit: which fields change for a desired image, and what the fields say now. */
export interface EditKind<E extends GitopsEdit> {
  plan(files: YamlFile[], edit: E, desired: DesiredImage): FieldChange[];
  read(files: YamlFile[], edit: E): EditReading['versions'];
}

/** The manifests do not match the edit: the user's config (or repository) is wrong, exit 2 at the edit's key in pipeline.yml. */
export function mismatch(edit: GitopsEdit, key: string, message: string, hint?: string): never {
  throw new ConfigError(message, edit.at?.(key), hint);
}

/** A name for messages: `kustomize overlays/prod/kustomization.yaml`. */
export const editName = (e: GitopsEdit) => `${e.kind} ${e.file}`;
