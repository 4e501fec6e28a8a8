// JSON from outside (a registry, a credential helper, an image archive, ~/.docker/config.json):
// a failure must say where, but never quote the text — V8's message does, and the text may hold secrets.

export interface JsonWhere {
  line?: number;
  column?: number;
}

/** line:col of a JSON.parse failure, when V8 gives a position (or the input simply ended). */
export function jsonErrorPosition(text: string, err: unknown): JsonWhere {
  const msg = (err as Error)?.message ?? '';
  const m = /at position (\d+)/.exec(msg);
  const at = m ? Number(m[1]) : /end of JSON input/.test(msg) ? text.length : undefined;
  if (at === undefined) return {};
  const before = text.slice(0, at);
  return { line: before.split('\n').length, column: at - before.lastIndexOf('\n') };
}

/** JSON.parse, or the caller's typed error (built from the position only). */
export function parseJson(text: string, fail: (where: JsonWhere) => Error): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw fail(jsonErrorPosition(text, e));
  }
}

/** The same, when the value must be an object (not null, an array or a scalar). */
export function parseJsonObject<T extends object>(text: string, fail: (where: JsonWhere) => Error): T {
  const v = parseJson(text, fail);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw fail({});
  return v as T;
}
