import { ConfigError } from '@pipeline/core';
import type { GitopsEdit } from '../../../config/gitops-types.js';
import type { DesiredImage, ImageVersion } from '../image.js';
import type { FieldChange } from '../yaml/fields.js';
import type { YamlFile } from '../yaml/file.js';

export { HELM_FIELDS, type FluxEdit, type GitopsEdit, type HelmEdit, type HelmField, type KustomizeEdit, type ManifestEdit } from '../../../config/gitops-types.js';

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
