import { basename, dirname, join } from 'node:path';
import { parse } from 'yaml';
import { UsageError, quote, type Logger } from '@pipeline/core';
import { loadIgnore, openGitHistory, type GitHistory, type GitInfo, type InputCommit } from '@pipeline/build';
import type { PipelineConfig } from '../config/index.js';

/** The time baked into an image and the commit it names: the last change of its inputs, not HEAD. */
export interface InputTime {
  /** Seconds since 1970: SOURCE_DATE_EPOCH, else the commit time of `revision`, else 0. */
  time: number;
  /** The newest commit that changed the image's inputs (its own, or its base's). */
  revision?: string;
  from: 'SOURCE_DATE_EPOCH' | 'git' | 'zero';
}

export interface InputTimes {
  of(name: string): Promise<InputTime>;
  close(): void;
}

/** Keys sorted at every level: two parses of the same mapping compare equal as text. */
const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));

function sourceDateEpoch(env: NodeJS.ProcessEnv): number | undefined {
  const s = env.SOURCE_DATE_EPOCH;
  if (s === undefined || s === '') return undefined;
  if (!/^\d+$/.test(s)) throw new UsageError(`Expected SOURCE_DATE_EPOCH to be whole seconds since 1970, got ${quote(s)}`);
  return Number(s);
}

/**
 * Per image, the newest commit that changed what it is made of: its Dockerfile, its context after
 * .dockerignore, its entry in pipeline.yml (build args, executor, platform, version; not its tags
 * or tests), and – through its base – the base's inputs. One `git log` per image over those paths.
 */
export function inputTimes(cfg: PipelineConfig, o: { git?: GitInfo; env: NodeJS.ProcessEnv; logger: Logger }): InputTimes {
  const sde = sourceDateEpoch(o.env);
  let history: Promise<GitHistory | undefined> | undefined;
  const open = () => (history ??= o.git ? openGitHistory(cfg.dir, o.env) : Promise.resolve(undefined));
  const memo = new Map<string, Promise<InputCommit | undefined>>();
  const entries = new Map<string, Promise<string>>();

  /** The image's entry in pipeline.yml at a revision, without what does not enter the image. */
  const entryAt = (h: GitHistory, rev: string, cfgPath: string, name: string): Promise<string> => {
    const key = `${rev}\0${name}`;
    let p = entries.get(key);
    if (!p) {
      p = h.show(rev, cfgPath).then((bytes) => {
        if (!bytes) return 'absent';
        try {
          const doc = parse(bytes.toString('utf8'), { merge: true }) as { images?: Record<string, Record<string, unknown>> };
          const entry = doc?.images?.[name];
          if (!entry || typeof entry !== 'object') return 'absent';
          const { tags: _tags, ...rest } = entry;
          return stable(rest);
        } catch {
          return `unreadable ${rev}`;
        }
      });
      entries.set(key, p);
    }
    return p;
  };

  const own = async (name: string): Promise<InputCommit | undefined> => {
    const h = await open();
    if (!h) return undefined;
    const img = cfg.images[name];
    const ignore = await loadIgnore(img.context, img.dockerfile);
    const ctx = h.repoPath(img.context);
    const df = h.repoPath(img.dockerfile);
    const cfgPath = h.repoPath(cfg.file);
    // Either ignore file may start or stop applying: both count, whichever wins today.
    const ignoreFiles = [join(dirname(img.dockerfile), `${basename(img.dockerfile)}.dockerignore`), join(img.context, '.dockerignore')].map((f) => h.repoPath(f));
    const paths = [ctx, df, cfgPath, ...ignoreFiles].filter((p): p is string => !!p);
    if (!ctx || !df) return undefined;
    const c = await h.lastChange([...new Set(paths)], async (path, commit) => {
      if (path === df || ignoreFiles.includes(path)) return true;
      if (ctx === '.' || path.startsWith(`${ctx}/`)) {
        if (!ignore.ignores(ctx === '.' ? path : path.slice(ctx.length + 1))) return true;
      }
      if (path === cfgPath) return (await entryAt(h, commit, cfgPath, name)) !== (await entryAt(h, `${commit}^`, cfgPath, name));
      return false;
    });
    if (c?.uncertain) o.logger.warn(`${name}: this is a shallow clone and the last change of the image's inputs is not in it; its time is taken from ${c.sha.slice(0, 7)}, so its digest may differ from a full clone's (fetch the whole history, e.g. fetch-depth: 0)`);
    return c;
  };

  /** Its own last change or its base's, whichever is newer. */
  const commitOf = (name: string): Promise<InputCommit | undefined> => {
    let p = memo.get(name);
    if (!p) {
      const from = cfg.images[name].from;
      p = Promise.all([own(name), from?.kind === 'image' ? commitOf(from.name) : undefined]).then(([a, b]) => (a && b ? (b.time > a.time ? b : a) : a ?? b));
      memo.set(name, p);
    }
    return p;
  };

  return {
    async of(name) {
      // Inputs git knows nothing of (untracked) are newer than HEAD's commit: they take its time.
      const c = (await commitOf(name)) ?? (o.git?.commitTime !== undefined ? { sha: o.git.sha, time: o.git.commitTime, uncertain: false } : undefined);
      if (sde !== undefined) return { time: sde, revision: c?.sha, from: 'SOURCE_DATE_EPOCH' };
      return c ? { time: c.time, revision: c.sha, from: 'git' } : { time: 0, from: 'zero' };
    },
    close() {
      void history?.then((h) => h?.close());
    },
  };
}
