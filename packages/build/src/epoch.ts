import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UsageError, quote } from '@pipeline/core';

const run = promisify(execFile);

/**
 * The build's clock, for reproducible images: SOURCE_DATE_EPOCH when set, else the time of
 * the commit that holds the context, else 0 – never "now", which would change every digest.
 */
export async function resolveEpoch(contextDir: string, env: NodeJS.ProcessEnv = process.env): Promise<{ epoch: number; from: 'SOURCE_DATE_EPOCH' | 'git' | 'zero' }> {
  const s = env.SOURCE_DATE_EPOCH;
  if (s !== undefined && s !== '') {
    if (!/^\d+$/.test(s)) throw new UsageError(`Expected SOURCE_DATE_EPOCH to be whole seconds since 1970, got ${quote(s)}`);
    return { epoch: Number(s), from: 'SOURCE_DATE_EPOCH' };
  }
  try {
    // execFile, not simple-git: this runs on every build and must not cost start-up time.
    const { stdout } = await run('git', ['log', '-1', '--format=%ct'], { cwd: contextDir });
    const t = Number(stdout.trim());
    if (Number.isFinite(t) && t > 0) return { epoch: t, from: 'git' };
  } catch {
    /* not a git checkout, or no commits yet */
  }
  return { epoch: 0, from: 'zero' };
}
