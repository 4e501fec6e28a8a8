import { ConfigError, type SourcePosition } from '@pipeline/core';
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';

export type YamlPath = (string | number)[];
export type Collection = YAMLMap<unknown, unknown> | YAMLSeq<unknown>;

/**
 * One YAML file of the manifests repository, parsed for reading only: every edit is a splice of its
 * original text at the source ranges the parser reports, so bytes outside a changed scalar never move.
 */
export class YamlFile {
  readonly docs: Document.Parsed[];
  /** The file's own line break, used for any line an edit adds. */
  readonly eol: '\n' | '\r\n';
  private readonly lineStarts: number[] = [0];

  constructor(readonly path: string, readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    const lf = text.indexOf('\n');
    this.eol = lf > 0 && text[lf - 1] === '\r' ? '\r\n' : '\n';
    const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false });
    this.docs = Array.isArray(docs) ? docs : [];
    for (const d of this.docs) {
      const e = d.errors[0];
      if (e) throw new ConfigError(`${path}: Expected valid YAML, got ${e.message.split('\n')[0]}`, this.position(e.pos[0]));
    }
  }

  /** 1-based line and column of an offset. */
  position(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.path, line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  where(node: Node | Pair | null | undefined): string {
    const off = isPair(node) ? (node.key as Node | null)?.range?.[0] : node?.range?.[0];
    if (off === undefined) return this.path;
    const p = this.position(off);
    return `${p.file}:${p.line}:${p.column}`;
  }

  /** Offset just past the line break that ends the line holding `offset` (the text's end on the last line). */
  lineEnd(offset: number): number {
    const i = this.text.indexOf('\n', offset);
    return i < 0 ? this.text.length : i + 1;
  }

  lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** An alias stands for its anchored node: reading or editing through it reaches the definition. */
  resolve(doc: number, node: unknown): Node | undefined {
    if (isAlias(node)) return node.resolve(this.docs[doc]) as Node | undefined;
    return (node ?? undefined) as Node | undefined;
  }

  /** The node at `path` in document `doc`, or undefined. */
  get(doc: number, path: YamlPath): Node | undefined {
    let n = this.resolve(doc, this.docs[doc]?.contents);
    for (const k of path) {
      if (isMap(n)) n = this.resolve(doc, pairOf(n, k)?.value);
      else if (isSeq(n) && typeof k === 'number') n = this.resolve(doc, n.items[k]);
      else return undefined;
    }
    return n;
  }
}

/** The pair whose key is the scalar `key` (a later duplicate wins, as in most YAML loaders). */
export function pairOf(map: YAMLMap<unknown, unknown>, key: string | number): Pair<unknown, unknown> | undefined {
  let found: Pair<unknown, unknown> | undefined;
  for (const p of map.items) if (isScalar(p.key) && String(p.key.value) === String(key)) found = p;
  return found;
}

/** A field's value for compare-and-set: undefined when absent, null when present but empty (`key:`, `~`). */
export function fieldValue(node: unknown): string | null | undefined {
  if (node === undefined || node === null) return undefined;
  if (isScalar(node) && (node.value === null || node.value === undefined)) return null;
  return scalarText(node);
}

/** A scalar's text as written: `1.20` stays `1.20` (not the number 1.2), `~` and an empty value are undefined. */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  const s = node as Scalar & { source?: unknown };
  if (s.type === 'PLAIN' && typeof s.source === 'string') return s.source;
  return String(s.value);
}
