// Reading the small text files a user writes (Dockerfile, .dockerignore, pipeline.yml): one size
// cap, and "not there", "a directory", "too big" as typed errors instead of EISDIR and a stack trace.
import { open } from 'node:fs/promises';
import type { SourcePosition } from './errors.js';

/** Largest Dockerfile, .dockerignore or pipeline.yml read (1 MiB: ~20,000 lines; real ones are < 100 KiB). */
export const USER_FILE_MAX = 1024 * 1024;

export type UserFileProblem = 'missing' | 'directory' | 'too-big' | 'unreadable';

export interface UserFileOptions {
  /** What the file is, for messages: "Dockerfile", ".dockerignore", "pipeline.yml". */
  what: string;
  max?: number;
  /** The typed error to throw (ConfigError, DockerfileError…); `problem` lets callers add their own hint. */
  error: (message: string, position: SourcePosition, problem: UserFileProblem) => Error;
}

const mib = (n: number): string => `${(n / 1048576).toFixed(n % 1048576 ? 1 : 0)} MiB`;

/** The file's text (UTF-8, size-capped); undefined when it does not exist and `optional` is set. */
export async function readUserFile(file: string, o: UserFileOptions & { optional: true }): Promise<string | undefined>;
export async function readUserFile(file: string, o: UserFileOptions & { optional?: false }): Promise<string>;
export async function readUserFile(file: string, o: UserFileOptions & { optional?: boolean }): Promise<string | undefined> {
  const max = o.max ?? USER_FILE_MAX;
  const where: SourcePosition = { file };
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if ((code === 'ENOENT' || code === 'ENOTDIR') && o.optional) return undefined;
    if (code === 'ENOENT') throw o.error(`${o.what} not found: ${file}`, where, 'missing');
    if (code === 'ENOTDIR') throw o.error(`${o.what} not found: a part of ${file} is a file, not a directory`, where, 'missing');
    throw o.error(`cannot read ${o.what}: ${code ?? (e as Error).message}`, where, 'unreadable');
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw o.error(`${o.what} is a directory, not a file`, where, 'directory');
    if (!st.isFile()) throw o.error(`${o.what} is not a regular file`, where, 'unreadable');
    if (st.size > max) throw o.error(`${o.what} is ${mib(st.size)}; the limit is ${mib(max)}`, where, 'too-big');
    // Read until EOF but never past max: a file that grows after the stat is still caught.
    const parts: Buffer[] = [];
    let n = 0;
    for (;;) {
      const { bytesRead, buffer } = await fh.read({ buffer: Buffer.alloc(64 * 1024) });
      if (!bytesRead) break;
      parts.push(buffer.subarray(0, bytesRead));
      n += bytesRead;
      if (n > max) throw o.error(`${o.what} is over ${mib(max)}, the limit`, where, 'too-big');
    }
    return Buffer.concat(parts, n).toString('utf8');
  } finally {
    await fh.close();
  }
}
