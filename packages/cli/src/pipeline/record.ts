import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '@pipeline/build';
import type { InputParts } from './inputs.js';

/** The outcome of an image's tests, tied to the image and to the tests' own definition. */
export interface TestsRecord {
  /** pipeline.yml's tests of the image, fingerprinted (tests are inputs of a run too). */
  fingerprint: string;
  digest: string;
  ok: boolean;
  /** The failing checks' names, when not ok. */
  failed?: string[];
}

/** What one image is where: the pinning record of the last run that built, reused or pushed it. */
export interface ImageRecord {
  inputs: string;
  parts?: InputParts;
  digest: string;
  /** Tags of the last push (or planned, when it was not pushed). */
  tags: string[];
  version?: string;
  /** Where children, tests and deploys find it: the last pushed `registry/repo@digest`, else the local copy. */
  source: string;
  /** `oci:DIR:ref` when .pipeline/images holds a copy (it was built here). */
  local?: string;
  /** HEAD of the run that recorded it (deploys say which commit they roll out). */
  revision?: string;
  tests?: TestsRecord;
  /** Destination repository (`registry/namespace/name`) → what the last push there left. */
  pushed?: Record<string, { digest: string; tags: string[] }>;
}

export interface BuildRecord {
  version: 1;
  images: Record<string, ImageRecord>;
}

/** pipeline's local state: the build record and local image copies (never committed; init ignores it). */
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

/** Written after each step, atomically: an interrupted run keeps what it finished. */
export async function writeRecord(dir: string, record: BuildRecord): Promise<void> {
  await writeAtomic(join(stateDir(dir), 'record.json'), JSON.stringify(record, null, 2) + '\n');
}
