// The security and bad-input suite's one model: a case builds a hostile input in a fresh temp dir,
// runs the real `pipeline` binary on it, and says what a fair user should see. Every case is also
// judged by the same rules: the exit code it expects (2 unless said), no stack trace, no "internal
// error", a bounded answer (a 4 MiB input is never echoed back), a capped heap (the process dies
// past it, so a case that needs more memory fails), nothing written to the output it named.
//
// Adding a case: add a row to a file in test/hostile/cases/ (or a new file exporting `cases`).
// Cases without `needs` run in bad-input.test.ts; cases that need services in bad-input.itg.test.ts.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliResult } from '../lib/cli.js';
import type { ServiceName } from '../lib/services.js';

export interface Run {
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface HostileCase {
  name: string;
  /** Services the case needs; such cases run in the integration pool. */
  needs?: ServiceName[];
  /** Writes the input under `dir` (fresh and empty) and returns the command. Outputs go to `${dir}/out`. */
  setup(dir: string): Run | Promise<Run>;
  /** What the user must see: the exit code (default 2) and a pattern in stderr. */
  expect: { code?: 0 | 1 | 2; stderr: RegExp };
  /** More checks after the run (nothing written outside, nothing pushed…); throw to fail. */
  after?(dir: string, r: CliResult): void | Promise<void>;
}

/** Heap cap for every run: the CLI needs ~50 MB; a case that needs 4× that is a bug. */
export const HEAP_MB = 192;
/** The most a bad-input answer may print: a message, a hint and some progress lines. */
export const MAX_OUTPUT = 16 * 1024;

const STACK = /\n\s+at .+[:(]\d+:\d+\)?\s*(\n|$)/;

/** Every file in cases/ that exports `cases`, in name order. */
export async function loadCases(): Promise<{ file: string; cases: HostileCase[] }[]> {
  const dir = fileURLToPath(new URL('./cases/', import.meta.url));
  const out: { file: string; cases: HostileCase[] }[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts')).sort()) {
    const m = (await import(join(dir, f))) as { cases?: HostileCase[] };
    if (!Array.isArray(m.cases)) throw new Error(`test/hostile/cases/${f} exports no cases`);
    out.push({ file: f, cases: m.cases });
  }
  return out;
}

/** Why a run does not count as handled, or undefined when it does. */
export function judge(r: CliResult, expect: { code?: number; stderr?: RegExp }, outDir?: string): string | undefined {
  const all = `${r.stdout}\n${r.stderr}`;
  if (/internal error/i.test(all)) return `printed "internal error": ${all.slice(0, 600)}`;
  if (STACK.test(all)) return `printed a stack trace: ${all.slice(0, 600)}`;
  if (/FATAL ERROR|heap out of memory|Maximum call stack/i.test(all)) return `ran out of memory or stack: ${all.slice(0, 300)}`;
  if (r.code !== (expect.code ?? 2)) return `exit ${r.code}, expected ${expect.code ?? 2}: ${all.slice(0, 600)}`;
  if (all.length > MAX_OUTPUT) return `printed ${all.length} characters (more than ${MAX_OUTPUT}): the input was echoed back`;
  if (expect.stderr && !expect.stderr.test(r.stderr)) return `stderr does not match ${expect.stderr}: ${r.stderr.slice(0, 600)}`;
  if (outDir && (expect.code ?? 2) !== 0 && existsSync(outDir)) return `${outDir} was written although the input was refused`;
  return undefined;
}

/** Runs the binary for `run` with the heap cap, a private cache and Docker config, and the fixed epoch. */
export function runHostile(run: Run, dir: string): Promise<CliResult> {
  return runCli(run.args, {
    SOURCE_DATE_EPOCH: '0',
    XDG_CACHE_HOME: join(dir, '.cache'),
    DOCKER_CONFIG: join(dir, '.docker'),
    NO_COLOR: '1',
    ...run.env,
    NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}`,
  }, run.cwd ?? dir);
}

/** Runs one case in its own temp dir (removed after) and returns why it failed, if it did. */
export async function runCase(c: HostileCase): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-input-case-'));
  try {
    const run = await c.setup(dir);
    const r = await runHostile(run, dir);
    const why = judge(r, c.expect, join(dir, 'out'));
    if (why) return why;
    await c.after?.(dir, r);
    return undefined;
  } catch (e) {
    return `the case itself failed: ${(e as Error).stack ?? String(e)}`;
  } finally {
    if (process.env.PIPELINE_TEST_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `fn` over items, `width` at a time. */
export async function pool<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}
