import { LineCounter, parseDocument, visit, isMap, isSeq, isScalar, isAlias, type Alias, type Document, type Node } from 'yaml';
import { ConfigError, cut, quote, type SourcePosition } from '@pipeline/core';

export type Path = (string | number)[];

/** A parsed YAML file that can say where any key or value came from. */
export interface YamlSource {
  file: string;
  data: unknown;
  /** Position of the value at `path` (or of its key with `key: true`); falls back to the nearest ancestor. */
  pos(path: Path, opts?: { key?: boolean }): SourcePosition;
  /** The value as written (`12.10`, not the number 12.1), when it is a scalar. */
  rawText(path: Path): string | undefined;
}

/** Parses with the Document API: duplicate keys, tabs and broken quotes become ConfigErrors with line:col. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourcePosition => {
    const p = lc.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  const first = doc.errors[0];
  if (first) {
    const hint = first.code === 'DUPLICATE_KEY' ? 'each key may appear once per mapping; merge the two entries' : first.code === 'TAB_AS_INDENT' ? 'indent with spaces' : undefined;
    // The yaml parser recurses per nesting level: a hostile file nests until the stack runs out.
    const what = first.code === 'DUPLICATE_KEY' ? `duplicate key ${quote(keyText(text, first.pos))}` : /call stack/i.test(first.message) ? 'the document nests too deeply' : cut(first.message, 300);
    throw new ConfigError(`YAML: ${what}`, at(first.pos[0]), hint);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    throw aliasError(doc, e, at);
  }
  const find = (path: Path, key: boolean): Node | undefined => nodeAt(doc, path, key);
  return {
    file,
    data,
    pos(path, opts = {}) {
      for (let n = path.length; n >= 0; n--) {
        const node = find(path.slice(0, n), n === path.length && !!opts.key);
        if (node?.range) return at(node.range[0]);
      }
      return { file };
    },
    rawText(path) {
      const node = find(path, false);
      return isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
    },
  };
}

/** Aliases a file may expand (YAML's "billion laughs" is an alias bomb). */
const MAX_ALIASES = 100;

/** toJS's alias failures carry no position: find the alias that has no anchor, else the first alias. */
function aliasError(doc: Document, e: unknown, at: (offset: number) => SourcePosition): ConfigError {
  const aliases: Alias[] = [];
  visit(doc, { Alias: (_, node) => void aliases.push(node) });
  const dangling = aliases.find((a) => a.resolve(doc) === undefined);
  const where = (dangling ?? aliases[0])?.range?.[0];
  const position = where === undefined ? { file: (at(0) as SourcePosition).file } : at(where);
  if (dangling) return new ConfigError(`YAML: unknown alias *${cut(dangling.source)}`, position, `define the anchor &${cut(dangling.source)} before its alias`);
  if (/alias count/i.test((e as Error).message)) return new ConfigError(`YAML: the aliases expand to more than ${MAX_ALIASES} nodes (an alias bomb?)`, position, 'write the values out, or use fewer aliases');
  return new ConfigError(`YAML: ${cut((e as Error).message, 200)}`, position);
}

/** The duplicated key as written: from the error's offset up to its colon. */
function keyText(text: string, pos: [number, number]): string {
  return (/^[^:\n]*/.exec(text.slice(pos[0]))?.[0] ?? '').trim().replace(/^["']|["']$/g, '');
}

/** Walks maps by key and sequences by index; aliases are followed so positions point at the anchor's value. */
function nodeAt(doc: Document, path: Path, wantKey: boolean): Node | undefined {
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg || (isScalar(p.key) && String(p.key.value) === String(seg)));
      if (!pair) return undefined;
      node = last && wantKey ? pair.key : pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else return undefined;
  }
  if (isAlias(node)) return node;
  return (node ?? undefined) as Node | undefined;
}
