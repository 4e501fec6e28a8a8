import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BigIntStats } from 'node:fs';
import { ContextError, type SourcePosition, quote, cut } from '@pipeline/core';
import { cleanPath } from './clean.js';
import { diskLookup } from '../fs/disk-lookup.js';
import { resolveInRoot, RootEscapeError, RootLinkLoopError } from '../fs/in-root.js';
import { goMatchRegExp, hasGlob } from './go-match.js';
import { noIgnore, type Ignore } from './dockerignore.js';

/** A COPY source after globbing and following top-level symlinks. */
export interface ResolvedSource {
  /** The last path component as matched: the name the source gets under a directory destination. */
  name: string;
  /** Slash path, relative to the root, as the user's pattern matched it. */
  matched: string;
  /** Slash path, relative to the root, of the real file or directory (symlinks followed). */
  path: string;
  abs: string;
  type: 'file' | 'dir';
  stat: BigIntStats;
}

export interface ResolveOptions {
  ignore?: Ignore;
  /**
   * true for an image's root filesystem (COPY --from): absolute links and `..` resolve inside the
   * root, as Docker's FollowSymlinkInScope. false for a build context: such links are refused.
   */
  scoped?: boolean;
  where?: SourcePosition;
  /** A pattern that matches nothing gives no sources instead of an error (a wildcard in COPY). */
  allowEmpty?: boolean;
}

const HINT = 'COPY sources must stay inside the build context; copy the target itself instead of a link to it';

/**
 * Resolves `rel` under `root` with THE in-root rule (fs/in-root), following every symlink. Scoped
 * (an image's root): absolute links and `..` stay inside it, as the container sees them. A build
 * context: links leaving it are refused.
 */
export async function followInRoot(root: string, rel: string, scoped: boolean, where?: SourcePosition): Promise<string> {
  try {
    return resolveInRoot(rel, diskLookup(root), { refuseEscape: !scoped });
  } catch (e) {
    if (e instanceof RootLinkLoopError) throw new ContextError(`Expected ${quote(rel)} to resolve, got too many levels of symbolic links`, where);
    if (!(e instanceof RootEscapeError)) throw e;
    const link = e.link;
    if (link?.target.startsWith('/')) throw new ContextError(`Expected symlink ${quote(link.path)} to point inside the build context, got absolute target ${quote(link.target)}`, where, HINT);
    const what = link ? `symlink ${cut(link.path)} -> ${cut(link.target)}, which leaves it` : 'a path that leaves it';
    throw new ContextError(`Expected ${quote(rel)} to stay inside the build context, got ${what}`, where, HINT);
  }
}

const isIgnored = (ig: Ignore, p: string, isDir: boolean) => ig.ignores(p) && (!isDir || ig.canSkipDir(p));

/**
 * COPY/ADD source resolution: `pattern` relative to `root` (a leading `/` means the root),
 * each component matched with Go's filepath.Match (`*`, `?`, `[...]`), ignored paths invisible,
 * symlinks followed (the top-level source too, as Docker). Errors name the pattern and what was expected.
 */
export async function resolveSource(root: string, pattern: string, opts: ResolveOptions = {}): Promise<ResolvedSource[]> {
  const ignore = opts.ignore ?? noIgnore;
  const scoped = opts.scoped ?? false;
  const clean = cleanPath(pattern);
  if (!scoped && (clean === '..' || clean.startsWith('../'))) {
    throw new ContextError(`Expected COPY source ${quote(pattern)} inside the build context, got a path outside it`, opts.where, HINT);
  }
  const parts = cleanPath(`/${pattern}`).slice(1).split('/').filter(Boolean);
  let level: { matched: string; real: string }[] = [{ matched: '', real: '' }];
  const out: ResolvedSource[] = [];
  for (let k = 0; k < parts.length || (k === 0 && parts.length === 0); k++) {
    const comp = parts[k];
    const last = k >= parts.length - 1;
    const next: typeof level = [];
    for (const at of level) {
      let names: string[];
      if (comp === undefined) names = [''];
      else if (hasGlob(comp)) {
        const re = goMatchRegExp(comp);
        const dirents = await readdir(join(root, at.real)).catch(() => [] as string[]);
        names = dirents.filter((n) => re.test(n)).sort();
      } else names = [comp];
      for (const name of names) {
        const matched = [at.matched, name].filter(Boolean).join('/');
        const real = await followInRoot(root, [at.real, name].filter(Boolean).join('/'), scoped, opts.where);
        const s = await stat(join(root, real), { bigint: true }).catch(() => undefined);
        if (!s || !(s.isFile() || s.isDirectory())) continue;
        const isDir = s.isDirectory();
        if (matched && (isIgnored(ignore, matched, isDir) || isIgnored(ignore, real, isDir))) continue;
        if (!last) {
          if (isDir) next.push({ matched, real });
          continue;
        }
        out.push({ name: name || '.', matched: matched || '.', path: real || '.', abs: join(root, real), type: isDir ? 'dir' : 'file', stat: s });
      }
    }
    level = next;
    if (comp === undefined) break;
  }
  if (!out.length && !opts.allowEmpty) {
    throw new ContextError(
      `Expected COPY source ${quote(pattern)} to match a file or directory in ${scoped ? 'the source image' : 'the build context'}, got nothing`,
      opts.where,
      scoped ? undefined : 'check the path and that .dockerignore does not exclude it',
    );
  }
  return out;
}
