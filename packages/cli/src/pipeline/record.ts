import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '@pipeline/build';

/** What the last build of one image produced, and from which inputs: the pinning record. */
export interface ImageRecord {
  inputs: string;
  digest: string;
  tags: string[];
  version?: string;
  /** Where children find it: `oci:DIR:tag` locally, or `registry/repo@digest`. */
  source: string;
  base?: { name: string; digest?: string };
  revision?: string;
}

export interface BuildRecord {
  version: 1;
  images: Record<string, ImageRecord>;
}

export const stateDir = (dir: string) => join(dir, '.pipeline');

export async function readRecord(dir: string): Promise<BuildRecord> {
  try {
    const r = JSON.parse(await readFile(join(stateDir(dir), 'record.json'), 'utf8')) as BuildRecord;
    if (r.version === 1 && r.images) return r;
  } catch {
    /* first build, or an unreadable record: everything counts as changed */
  }
  return { version: 1, images: {} };
}

/** Written after each image, atomically: an interrupted run keeps what it finished. */
export async function writeRecord(dir: string, record: BuildRecord): Promise<void> {
  await writeAtomic(join(stateDir(dir), 'record.json'), JSON.stringify(record, null, 2) + '\n');
}
