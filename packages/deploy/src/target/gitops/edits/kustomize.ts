import { isMap, isSeq, type YAMLMap } from 'yaml';
import type { DesiredImage } from '../image.js';
import type { FieldChange } from '../yaml/fields.js';
import { fieldValue, pairOf, scalarText, type YamlFile, type YamlPath } from '../yaml/file.js';
import { mismatch, type EditKind, type KustomizeEdit } from './types.js';

interface Entry { file: YamlFile; doc: number; path: YamlPath; map: YAMLMap<unknown, unknown> }

/** Every images: entry with the edit's name (one, in a kustomization kustomize can read). */
function findEntries(file: YamlFile, edit: KustomizeEdit): Entry[] {
  const names: string[] = [];
  const found: Entry[] = [];
  for (let doc = 0; doc < file.docs.length; doc++) {
    const images = file.get(doc, ['images']);
    if (!isSeq(images)) continue;
    for (let i = 0; i < images.items.length; i++) {
      const map = file.resolve(doc, images.items[i]);
      if (!isMap(map)) continue;
      const name = scalarText(pairOf(map, 'name')?.value);
      if (name === edit.name) found.push({ file, doc, path: ['images', i], map });
      else if (name) names.push(name);
    }
  }
  if (found.length) return found;
  return mismatch(
    edit,
    'name',
    `${file.path}: Expected an images: entry with name: ${edit.name}, got ${names.length ? `only ${names.join(', ')}` : 'no images: list'}`,
    `add "images:\\n- name: ${edit.name}" to ${file.path}, or set name: to the image name its resources use`,
  );
}

/**
 * newName only where the entry's name is not already the repository; digest always; newTag set to the
 * deployed tag (kustomize ≥ v4 renders name:tag@digest) or, with keepTag false or no tag, removed – a
 * stale tag beside a new digest would tell readers the wrong version.
 */
export const kustomize: EditKind<KustomizeEdit> = {
  plan([file], edit, desired: DesiredImage) {
    return findEntries(file, edit).flatMap((e) => entryChanges(e, edit, desired));
  },
  read([file], edit) {
    return findEntries(file, edit).map((e) => {
      const get = (k: string) => scalarText(pairOf(e.map, k)?.value);
      const digest = get('digest');
      return { version: { name: get('newName') ?? edit.name, ...(get('newTag') ? { tag: get('newTag') } : {}), ...(digest ? { digest: digest as never } : {}) }, where: file.where(e.map) };
    });
  },
};

function entryChanges(e: Entry, edit: KustomizeEdit, desired: DesiredImage): FieldChange[] {
  const file = e.file;
  const field = (key: string, after: string | undefined, insertAfter: string[]): FieldChange => ({
    file: file.path,
    doc: e.doc,
    parent: e.path,
    key,
    before: pairOf(e.map, key) ? (fieldValue(e.file.resolve(e.doc, pairOf(e.map, key)!.value)) ?? null) : undefined,
    after,
    insertAfter,
    label: `images[${edit.name}].${key}`,
  });
  const changes: FieldChange[] = [];
  if (pairOf(e.map, 'newName') || edit.name !== desired.name) changes.push(field('newName', desired.name, ['name']));
  changes.push(field('newTag', edit.keepTag ? desired.tag : undefined, ['newName', 'name']));
  changes.push(field('digest', desired.digest, ['newTag', 'newName', 'name']));
  return changes;
}
