import { statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/**
 * Why `path` cannot be (or become, by mkdir -p) a directory: it or its nearest existing ancestor
 * is a file. Undefined when it can. Checked before work starts, so a file where a directory belongs
 * is the user's mistake said up front, not EEXIST/ENOTDIR from deep inside.
 */
export function notADirectory(path: string): string | undefined {
  for (let p = resolve(path); ; p = dirname(p)) {
    const st = statOrUndefined(p);
    if (st && !st.isDirectory()) return `${p} is not a directory`;
    if (st || p === dirname(p)) return undefined;
  }
}
