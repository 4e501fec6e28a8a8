// Temp dirs for tests: tempDir() lives until the process exits (a failed assertion still cleans up);
// withTempDir() removes it as soon as the callback settles. PIPELINE_TEST_KEEP=1 keeps them to debug.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const keep = () => process.env.PIPELINE_TEST_KEEP === '1';

function remove(dir: string): void {
  if (keep()) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

/** A temp dir removed when the process exits. */
export function tempDir(prefix = 'pipeline-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => remove(d));
  return d;
}

/** Runs fn with a fresh temp dir and removes the dir afterwards, whether fn threw or not. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T> | T, prefix = 'pipeline-test-'): Promise<T> {
  const d = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await fn(d);
  } finally {
    remove(d);
  }
}
