import { isMap, isScalar, isSeq } from 'yaml';
import { splitImage, type DesiredImage, type ImageVersion } from '../image.js';
import type { FieldChange } from '../yaml/fields.js';
import { fieldValue, pairOf, scalarText, type YamlFile, type YamlPath } from '../yaml/file.js';
import { parseValuesPath } from '../../../config/gitops-types.js';
import { HELM_FIELDS, mismatch, type EditKind, type HelmEdit, type HelmField } from './types.js';

/** `ghcr.io/org/web` → registry `ghcr.io`, repository `org/web`; Hub names have docker.io as registry. */
function splitRegistry(name: string): { registry: string; repository: string } {
  const [first, ...rest] = name.split('/');
  return rest.length && (first.includes('.') || first.includes(':') || first === 'localhost') ? { registry: first, repository: rest.join('/') } : { registry: 'docker.io', repository: name };
}

function locate(file: YamlFile, edit: HelmEdit, field: HelmField): { parent: YamlPath; key: string | number; text?: string; value: string | null } {
  const path = parseValuesPath(edit.paths[field]!)!;
  const parent = path.slice(0, -1);
  const key = path[path.length - 1];
  const holder = file.get(0, parent);
  const present = isMap(holder) ? pairOf(holder, key) !== undefined : isSeq(holder) && typeof key === 'number' && key < holder.items.length;
  if (!present) {
    const have = isMap(holder) ? holder.items.map((p) => String((p.key as { value?: unknown }).value)) : [];
    mismatch(edit, `paths.${field}`, `${file.path}: Expected a value at ${edit.paths[field]}, got ${holder === undefined ? `nothing at ${parent.join('.') || 'the top'}` : have.length ? `only the keys ${have.join(', ')} there` : 'no such entry'}`);
  }
  const node = file.get(0, path);
  if (node !== undefined && !isScalar(node)) mismatch(edit, `paths.${field}`, `${file.where(node)}: Expected ${edit.paths[field]} to be a scalar, got a ${isMap(node) ? 'mapping' : 'sequence'}`);
  return { parent, key, text: scalarText(node), value: fieldValue(node) ?? null };
}

/**
 * Values a chart reads: with a digest path, tag and digest apart; with a tag path only, the tag is
 * `tag@digest` (the chart's `repo:{{ tag }}` then renders a pinned reference); `image` takes the whole reference.
 */
export const helm: EditKind<HelmEdit> = {
  plan([file], edit, desired: DesiredImage) {
    const p = edit.paths;
    const { registry, repository } = splitRegistry(desired.name);
    const values: Partial<Record<HelmField, string | undefined>> = {
      image: `${desired.name}${desired.tag ? `:${desired.tag}` : ''}@${desired.digest}`,
      registry,
      repository: p.registry ? repository : desired.name,
      tag: p.digest ? desired.tag : desired.tag ? `${desired.tag}@${desired.digest}` : undefined,
      digest: desired.digest,
    };
    if (p.tag && !p.digest && !p.image && !desired.tag) mismatch(edit, 'paths.tag', `helm ${file.path}: Expected a tag to write into ${p.tag} with the digest (tag@digest), got an image with no tag or git SHA`, 'add paths.digest, or deploy an image pushed with its SHA tag');
    const changes: FieldChange[] = [];
    for (const field of HELM_FIELDS) {
      if (!p[field]) continue;
      const at = locate(file, edit, field);
      changes.push({ file: file.path, doc: 0, parent: at.parent, key: at.key, before: at.value, after: values[field], label: p[field]! });
    }
    return changes;
  },
  read([file], edit) {
    const p = edit.paths;
    const get = (f: HelmField) => (p[f] ? locate(file, edit, f).text : undefined);
    const where = file.where(file.get(0, parseValuesPath((p.image ?? p.repository ?? p.tag ?? p.digest)!)!));
    if (p.image) {
      const v = splitImage(get('image') ?? '');
      return v ? [{ version: v, where }] : [];
    }
    const tagged = splitImage(`x:${get('tag') ?? 'x'}`);
    const repo = get('repository');
    const reg = get('registry');
    const v: ImageVersion = { name: reg && repo ? `${reg}/${repo}` : (repo ?? '') };
    if (get('tag')) v.tag = tagged?.tag ?? get('tag');
    const digest = get('digest') || tagged?.digest;
    if (digest) v.digest = digest as never;
    return [{ version: v, where }];
  },
};
