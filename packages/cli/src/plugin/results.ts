import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PipelineError, type Logger } from '@pipeline/core';
import type { Settings } from '../settings/index.js';
import { droneCard, writeCard } from './card.js';

/** One image the step built: where it went and what it is. */
export interface PluginImage {
  name: string;
  digest: string;
  /** `registry/repo@sha256:…` when pushed. */
  reference?: string;
  /** Full references the image is pushed under. */
  tags: string[];
  size?: number;
  newBytes?: number;
  reusedBytes?: number;
}

/** Where the digest goes by default, relative to the workspace (the next step reads it there). */
export const DEFAULT_DIGEST_FILE = '.pipeline/digest';

export interface Written {
  digestFile?: string;
  envFile?: string;
  card?: string;
}

/**
 * Leaves the results where each host's next step reads them: the digest alone in the digest file
 * (kaniko's --digest-file shape), the same as dotenv beside it (`<digest file>.env`: GitLab's
 * `artifacts: reports: dotenv` turns it into variables of later jobs), and Drone's card. A digest file
 * that was asked for and cannot be written fails the step; the default one only warns (a read-only
 * workspace); the card never fails it.
 */
export async function writeResults(images: PluginImage[], s: Pick<Settings, 'digestFile' | 'cardPath'>, commit: { sha?: string; branch?: string }, cwd: string, log: Logger): Promise<Written> {
  const written: Written = {};
  if (!images.length) return written;
  const main = images[images.length - 1];
  const file = resolve(cwd, s.digestFile ?? DEFAULT_DIGEST_FILE);
  const env = [`PIPELINE_DIGEST=${main.digest}`, `PIPELINE_IMAGE_REF=${main.reference ?? ''}`, `PIPELINE_PUSHED_TAGS=${main.tags.join(',')}`].join('\n') + '\n';
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, main.digest + '\n');
    await writeFile(`${file}.env`, env);
    Object.assign(written, { digestFile: file, envFile: `${file}.env` });
  } catch (e) {
    const why = `cannot write the digest to ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    if (s.digestFile) throw new PipelineError('internal', why, { exitCode: 1, hint: 'the image is pushed; give digest_file a writable path (the step runs as uid 1000)' });
    log.warn(`${why} (the workspace is not writable by this step's user; set digest_file to a writable path)`);
  }
  if (s.cardPath) {
    try {
      await writeCard(s.cardPath, droneCard(images, commit));
      written.card = s.cardPath;
    } catch (e) {
      log.warn(`cannot write the Drone card to ${s.cardPath}: ${(e as Error).message}`);
    }
  }
  return written;
}

/** Plain lines for the log: the digest, the reference and every tag pushed, one per line. */
export function resultLines(images: PluginImage[]): string[] {
  return images.flatMap((i) => [
    `${i.name}: digest ${i.digest}`,
    ...(i.reference ? [`${i.name}: image ${i.reference}`] : []),
    ...i.tags.map((t) => `${i.name}: pushed ${t}`),
  ]);
}
