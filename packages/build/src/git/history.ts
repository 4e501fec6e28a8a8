import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { BlobReader } from './blob-reader.js';

/** The newest commit that changed an image's inputs: its identity in time. */
export interface InputCommit {
  sha: string;
  /** Committer time, seconds since 1970. */
  time: number;
  /** The walk ended at a shallow clone's boundary: the real change may be older (fetch the full history). */
  uncertain: boolean;
}

/** Says whether a commit's change to `path` (slash path from the repository root) changes the inputs. */
export type Relevance = (path: string, commit: string) => boolean | Promise<boolean>;

export interface GitHistory {
  /** The repository root (absolute). */
  readonly top: string;
  readonly shallow: boolean;
  /** A path as git names it: slash-separated, relative to the root; undefined outside the repository. */
  repoPath(abs: string): string | undefined;
  /**
   * The newest commit of HEAD's history that changed one of `paths` in a way `relevant` accepts.
   * ONE `git log` per call, over all the paths, read as a stream and stopped at the first hit.
   */
  lastChange(paths: string[], relevant?: Relevance): Promise<InputCommit | undefined>;
  /** A file's bytes at a commit (`<commit>:<path>`), undefined when it has none: one `git cat-file --batch` for every read. */
  show(commit: string, path: string): Promise<Buffer | undefined>;
  close(): void;
}

const RS = 0x1e;

/** Opens the history of the repository holding `dir`; undefined when it is not in one or has no commit. */
export async function openGitHistory(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<GitHistory | undefined> {
  const { execa } = await import('execa');
  const base = { env: { ...env, GIT_OPTIONAL_LOCKS: '0' }, extendEnv: false, reject: false } as const;
  const info = await execa('git', ['rev-parse', '--show-toplevel', '--is-shallow-repository', '--git-path', 'shallow', '--verify', '-q', 'HEAD'], { cwd: dir, ...base });
  const lines = String(info.stdout).split('\n');
  if (info.exitCode !== 0 || lines.length < 4) return undefined;
  const top = lines[0];
  const shallow = lines[1] === 'true';
  const boundary = new Set<string>();
  if (shallow) {
    const file = isAbsolute(lines[2]) ? lines[2] : resolve(dir, lines[2]);
    for (const l of (await readFile(file, 'utf8').catch(() => '')).split('\n')) if (l.trim()) boundary.add(l.trim());
  }
  let batch: BlobReader | undefined;
  return {
    top,
    shallow,
    repoPath(abs) {
      const rel = relative(top, abs);
      if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
      return rel === '' ? '.' : rel.split(sep).join('/');
    },
    async lastChange(paths, relevant) {
      const child = execa('git', ['--literal-pathspecs', '-c', 'core.quotePath=false', 'log', '--format=%x1e%H %ct', '--name-only', '-z', '--no-renames', 'HEAD', '--', ...paths], { cwd: top, ...base, buffer: false, stdin: 'ignore', stderr: 'ignore' });
      let buf: Buffer = Buffer.alloc(0);
      let found: InputCommit | undefined;
      const judge = async (record: Buffer): Promise<boolean> => {
        const parts = record.toString('utf8').split('\0');
        const [sha, time] = parts[0].split(' ');
        const files = parts.slice(1).map((f) => f.replace(/^\n/, '')).filter(Boolean);
        for (const f of files) {
          if (!relevant || (await relevant(f, sha))) {
            found = { sha, time: Number(time), uncertain: boundary.has(sha) };
            return true;
          }
        }
        // A shallow clone's oldest commit lists every file as added: nothing before it can be known.
        if (boundary.has(sha)) {
          found = { sha, time: Number(time), uncertain: true };
          return true;
        }
        return false;
      };
      try {
        for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
          buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
          // Every record but the last in the buffer is complete once the next one has begun.
          let start = buf.indexOf(RS);
          for (let next = buf.indexOf(RS, start + 1); start >= 0 && next > 0; start = next, next = buf.indexOf(RS, start + 1)) {
            if (await judge(buf.subarray(start + 1, next))) return found;
          }
          buf = start > 0 ? buf.subarray(start) : buf;
        }
        if (buf.length > 1 && (await judge(buf.subarray(1)))) return found;
        return found;
      } finally {
        if (child.exitCode === null) child.kill();
        await child.catch(() => {});
      }
    },
    show(commit, path) {
      batch ??= new BlobReader(top, base.env);
      return batch.read(`${commit}:${path}`);
    },
    close() {
      batch?.close();
    },
  };
}
