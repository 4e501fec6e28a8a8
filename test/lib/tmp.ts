import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp dir removed when the process exits. */
export function tempDir(prefix = 'pipeline-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(d, { recursive: true, force: true }));
  return d;
}
