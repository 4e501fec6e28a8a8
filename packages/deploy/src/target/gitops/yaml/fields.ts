import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { fieldValue, pairOf, type YamlFile, type YamlPath } from './file.js';
import { renderScalar } from './scalar.js';
import { applySplices, type Splice } from './splice.js';

/**
 * One scalar an edit sets, inserts or removes. `before` is what the field must hold for the change to
 * apply (undefined: absent), so the same list re-applied on a moved branch tip, or inverted for a
 * revert, never overwrites what someone else wrote meanwhile.
 */
export interface FieldChange {
  file: string;
  doc: number;
  /** From the document root to the mapping or sequence holding the field. */
  parent: YamlPath;
  key: string | number;
  /** null: present but empty. */
  before?: string | null;
  /** undefined: remove the key. */
  after?: string | null;
  /** The scalars exactly as written (quotes included), filled in when applied: an inverted change restores the bytes. */
  beforeSource?: string;
  afterSource?: string;
  /** Where to add a missing key: after the first of these siblings present (else after the last scalar pair). */
  insertAfter?: string[];
  /** How a person names the field: `images[web].digest`. */
  label: string;
}

export interface AppliedChanges {
  text: string;
  applied: FieldChange[];
  /** The field no longer held `before`: left as it is. */
  conflicts: { change: FieldChange; found?: string | null }[];
}

export const invert = (c: FieldChange): FieldChange => ({ ...c, before: c.after, after: c.before, beforeSource: c.afterSource, afterSource: c.beforeSource });

/** The current value of a field: undefined when absent, null when empty. */
export function readField(file: YamlFile, c: Pick<FieldChange, 'doc' | 'parent' | 'key'>): string | null | undefined {
  const parent = file.get(c.doc, c.parent);
  if (isMap(parent)) {
    const pair = pairOf(parent, c.key);
    return pair ? (fieldValue(file.resolve(c.doc, pair.value)) ?? null) : undefined;
  }
  return fieldValue(file.get(c.doc, [...c.parent, c.key]));
}

/** Applies the changes of one file as splices of its text. */
export function applyChanges(file: YamlFile, changes: FieldChange[]): AppliedChanges {
  const splices: Splice[] = [];
  const applied: FieldChange[] = [];
  const conflicts: AppliedChanges['conflicts'] = [];
  const removed = new Set(changes.filter((c) => c.after === undefined).map((c) => `${c.doc}/${c.parent.join('/')}/${c.key}`));
  for (const c of changes) {
    const found = readField(file, c);
    if (found !== c.before) {
      conflicts.push({ change: c, found });
      continue;
    }
    if (c.before === c.after) continue;
    const parent = file.get(c.doc, c.parent);
    const s = isMap(parent) ? mapSplice(file, parent, c, removed) : isSeq(parent) && typeof c.key === 'number' ? scalarSplice(file, parent.items[c.key], c, !!parent.flow) : undefined;
    if (!s) throw new Error(`${file.path}: cannot edit ${c.label}: its parent is not a mapping or sequence`);
    splices.push(s.splice);
    applied.push({ ...c, beforeSource: s.old, afterSource: c.after === undefined ? undefined : s.value });
  }
  return { text: applySplices(file.text, splices), applied, conflicts };
}

/** A splice with the scalar's old and new source text. */
interface Edit { splice: Splice; old?: string; value?: string }

const sourceOf = (file: YamlFile, node: unknown) => (isScalar(node) && node.range && node.range[0] < node.range[1] ? file.text.slice(node.range[0], node.range[1]) : undefined);

/** The text a changed scalar gets: its exact old source on a revert, else the value in the style of `like`. */
function render(file: YamlFile, c: FieldChange, like: Scalar | undefined, inFlow: boolean): string {
  if (c.afterSource !== undefined) return c.afterSource;
  return c.after === null ? 'null' : renderScalar(file, like, c.after!, inFlow);
}

function mapSplice(file: YamlFile, map: YAMLMap<unknown, unknown>, c: FieldChange, removed: Set<string>): Edit {
  const pair = pairOf(map, c.key);
  if (pair && c.after === undefined) return { splice: removePair(file, map, pair), old: sourceOf(file, file.resolve(c.doc, pair.value)) };
  if (pair) return scalarSplice(file, pair.value, c, !!map.flow, pair);
  const siblings = map.items.filter((p) => isScalar(p.value) && !removed.has(`${c.doc}/${c.parent.join('/')}/${(p.key as Scalar).value}`));
  const anchor = (c.insertAfter ?? []).map((k) => siblings.find((p) => String((p.key as Scalar).value) === k)).find(Boolean) ?? siblings.at(-1);
  if (!anchor) throw new Error(`${file.where(map)}: cannot add ${c.label}: the mapping has no scalar entry to place it after`);
  const value = render(file, c, anchor.value as Scalar, !!map.flow);
  return { splice: insertPair(file, map, anchor, String(c.key), value), value };
}

function scalarSplice(file: YamlFile, node: unknown, c: FieldChange, inFlow: boolean, pair?: Pair<unknown, unknown>): Edit {
  const target = file.resolve(c.doc, node);
  if (target !== undefined && !isScalar(target)) throw new Error(`${file.where(target)}: cannot set ${c.label}: it is not a scalar`);
  const range = target?.range;
  if (!range || range[0] === range[1]) {
    // `key:` with no value: the value goes right after the colon.
    const keyEnd = (pair?.key as Node | undefined)?.range?.[1];
    if (keyEnd === undefined) throw new Error(`${file.path}: cannot locate ${c.label}`);
    const colon = file.text.indexOf(':', keyEnd);
    const value = render(file, c, undefined, inFlow);
    return { splice: { start: colon + 1, end: colon + 1, insert: ` ${value}` }, old: '', value };
  }
  const value = render(file, c, target as Scalar, inFlow);
  return { splice: { start: range[0], end: range[1], insert: value }, old: file.text.slice(range[0], range[1]), value };
}

function insertPair(file: YamlFile, map: YAMLMap<unknown, unknown>, after: Pair<unknown, unknown>, key: string, value: string): Splice {
  const end = (after.value as Scalar).range?.[1] ?? (after.key as Node).range![1];
  if (map.flow) return { start: end, end, insert: `, ${key}: ${value}` };
  const keyStart = (after.key as Node).range![0];
  const indent = ' '.repeat(keyStart - file.lineStart(keyStart));
  const at = file.lineEnd(end);
  const line = `${indent}${key}: ${value}`;
  // The last line of a file without a final line break gets one first.
  return at === file.text.length && !file.text.endsWith('\n') ? { start: at, end: at, insert: `${file.eol}${line}` } : { start: at, end: at, insert: `${line}${file.eol}` };
}

function removePair(file: YamlFile, map: YAMLMap<unknown, unknown>, pair: Pair<unknown, unknown>): Splice {
  const keyStart = (pair.key as Node).range![0];
  const valueEnd = (pair.value as Node | null)?.range?.[1] ?? (pair.key as Node).range![1];
  const i = map.items.indexOf(pair);
  const next = map.items[i + 1]?.key as Node | undefined;
  if (map.flow) {
    const prev = map.items[i - 1]?.value as Node | undefined;
    if (prev?.range) return { start: prev.range[1], end: valueEnd, insert: '' };
    if (next?.range) return { start: keyStart, end: next.range[0], insert: '' };
  } else {
    const lineStart = file.lineStart(keyStart);
    // Alone on its line: the whole line goes, its comment too.
    if (/^[ \t]*$/.test(file.text.slice(lineStart, keyStart))) {
      const end = file.lineEnd(valueEnd);
      // The file's last line, with no line break of its own: the break before it goes instead.
      const start = end === file.text.length && !file.text.endsWith('\n') && lineStart > 0 ? lineStart - (file.text[lineStart - 2] === '\r' ? 2 : 1) : lineStart;
      return { start, end, insert: '' };
    }
    // First in a sequence item (`- newTag: v1`): the next key moves up behind the dash.
    if (next?.range) return { start: keyStart, end: next.range[0], insert: '' };
  }
  throw new Error(`${file.where(pair)}: cannot remove the only entry of a mapping`);
}
