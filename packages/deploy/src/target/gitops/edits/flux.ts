import { isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import { splitImage, type DesiredImage, type ImageVersion } from '../image.js';
import type { FieldChange } from '../yaml/fields.js';
import { fieldValue, scalarText, type YamlFile, type YamlPath } from '../yaml/file.js';
import { mismatch, type EditKind, type FluxEdit } from './types.js';

export type MarkerPart = 'image' | 'tag' | 'name' | 'digest';

export interface Marker { file: YamlFile; doc: number; parent: YamlPath; key: string | number; node: Scalar; policy: string; part: MarkerPart }

const COMMENT = /^[ \t]*#[ \t]*(\{.*\})[ \t]*\r?$/;

/** The setter marker on the scalar's own line, as Flux's image-automation-controller reads it. */
function markerOf(file: YamlFile, node: Scalar): { policy: string; part: MarkerPart } | undefined {
  const end = node.range![1];
  const m = COMMENT.exec(file.text.slice(end, file.lineEnd(end)).replace(/\n$/, ''));
  if (!m) return undefined;
  let ref: unknown;
  try {
    ref = (JSON.parse(m[1]) as Record<string, unknown>)['$imagepolicy'];
  } catch {
    return undefined;
  }
  if (typeof ref !== 'string') return undefined;
  const parts = ref.split(':');
  const last = parts[parts.length - 1];
  if (parts.length === 3 && ['tag', 'name', 'digest'].includes(last)) return { policy: parts.slice(0, 2).join(':'), part: last as MarkerPart };
  return { policy: ref, part: 'image' };
}

/** Every marked scalar in the files (values only; a marker on a key is not a setter). */
export function markers(files: YamlFile[]): Marker[] {
  const out: Marker[] = [];
  for (const file of files) {
    if (!file.text.includes('$imagepolicy')) continue;
    file.docs.forEach((d, doc) => {
      const walk = (node: unknown, path: YamlPath) => {
        if (isScalar(node) && node.range && path.length) {
          const m = markerOf(file, node);
          if (m) out.push({ file, doc, parent: path.slice(0, -1), key: path[path.length - 1], node, ...m });
        } else if (isMap(node)) {
          for (const p of node.items) if (isScalar(p.key)) walk(p.value, [...path, String(p.key.value)]);
        } else if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
      };
      walk(d.contents as Node, []);
    });
  }
  return out;
}

function found(files: YamlFile[], edit: FluxEdit): Marker[] {
  const all = markers(files);
  const mine = all.filter((m) => m.policy === edit.policy);
  if (!mine.length) {
    const others = [...new Set(all.map((m) => m.policy))];
    mismatch(edit, 'policy', `${edit.file}: Expected a setter marker # {"$imagepolicy": "${edit.policy}"} (or :tag, :name, :digest), got ${others.length ? `markers for ${others.join(', ')} only` : `no markers in ${files.length} YAML file(s)`}`);
  }
  return mine;
}

/**
 * What Flux would write for a policy whose latest image is the deployed one, pinned: the full marker
 * gets name:tag@digest; a :tag marker gets tag@digest unless the same policy also has a :digest marker.
 */
export const flux: EditKind<FluxEdit> = {
  plan(files, edit, desired: DesiredImage) {
    const mine = found(files, edit);
    const hasDigest = mine.some((m) => m.part === 'digest');
    const value: Record<MarkerPart, string> = {
      image: `${desired.name}${desired.tag ? `:${desired.tag}` : ''}@${desired.digest}`,
      name: desired.name,
      tag: hasDigest ? (desired.tag ?? '') : desired.tag ? `${desired.tag}@${desired.digest}` : '',
      digest: desired.digest,
    };
    if (!desired.tag && mine.some((m) => m.part === 'tag')) mismatch(edit, 'policy', `${edit.file}: Expected a tag for the :tag marker of ${edit.policy}, got an image with no tag or git SHA`);
    return mine.map((m): FieldChange => ({ file: m.file.path, doc: m.doc, parent: m.parent, key: m.key, before: fieldValue(m.node) ?? null, after: value[m.part], label: `${m.file.where(m.node)} ${edit.policy}${m.part === 'image' ? '' : `:${m.part}`}` }));
  },
  read(files, edit) {
    const mine = found(files, edit);
    const byFile = new Map<YamlFile, Marker[]>();
    for (const m of mine) byFile.set(m.file, [...(byFile.get(m.file) ?? []), m]);
    const out: { version: ImageVersion; where: string }[] = [];
    for (const [file, ms] of byFile) {
      for (const m of ms.filter((x) => x.part === 'image')) {
        const v = splitImage(scalarText(m.node) ?? '');
        if (v) out.push({ version: v, where: file.where(m.node) });
      }
      const part = (p: MarkerPart) => ms.find((x) => x.part === p);
      const name = part('name');
      if (name || part('tag') || part('digest')) {
        const tagged = splitImage(`x:${scalarText(part('tag')?.node) ?? 'x'}`);
        const v: ImageVersion = { name: scalarText(name?.node) ?? '' };
        if (part('tag')) v.tag = tagged?.tag;
        const digest = scalarText(part('digest')?.node) ?? tagged?.digest;
        if (digest) v.digest = digest as never;
        out.push({ version: v, where: file.where((name ?? part('tag') ?? part('digest'))!.node) });
      }
    }
    return out;
  },
};
