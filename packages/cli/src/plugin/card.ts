import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PluginImage } from './results.js';

/**
 * The adaptive-card template Drone's UI renders the card with (docs/ci/drone-card.json in this
 * repository). OWNER is the repository's owner on GitHub, set where the project is published.
 */
export const CARD_SCHEMA = 'https://raw.githubusercontent.com/OWNER/pipeline/main/docs/ci/drone-card.json';

/** drone-go's CardInput: the template's URL and the data it shows. */
export interface Card {
  schema: string;
  data: {
    image: string;
    digest: string;
    tags: { tag: string }[];
    size: number;
    sizeText: string;
    newBytes: number;
    reusedBytes: number;
    images: { name: string; digest: string }[];
    commit?: string;
    branch?: string;
    time: string;
  };
}

const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

/** The card of a run: its last image (the app of pipeline.yml, or the one Dockerfile) and every image's digest. */
export function droneCard(images: PluginImage[], commit: { sha?: string; branch?: string }, now = new Date()): Card {
  const main = images[images.length - 1];
  return {
    schema: CARD_SCHEMA,
    data: {
      image: main.reference ?? main.name,
      digest: main.digest,
      tags: main.tags.map((tag) => ({ tag })),
      size: main.size ?? 0,
      sizeText: mib(main.size ?? 0),
      newBytes: main.newBytes ?? 0,
      reusedBytes: main.reusedBytes ?? 0,
      images: images.map((i) => ({ name: i.name, digest: i.digest })),
      commit: commit.sha,
      branch: commit.branch,
      time: now.toISOString(),
    },
  };
}

/**
 * Writes the card where Drone looks: its runners set DRONE_CARD_PATH=/dev/stdout and take the card out
 * of the log as `ESC]1338;<base64 JSON>ESC]0m` written in one piece (drone/runner-go's livelog
 * extractor; drone-docker's writeCard); any other path gets the JSON itself.
 */
export async function writeCard(path: string, card: Card, std: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<void> {
  const json = JSON.stringify(card);
  if (path === '/dev/stdout' || path === '/dev/stderr') {
    const out = path === '/dev/stdout' ? std.stdout : std.stderr;
    await new Promise<void>((res, rej) => out.write(`\u001B]1338;${Buffer.from(json).toString('base64')}\u001B]0m\n`, (e) => (e ? rej(e) : res())));
    return;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, json + '\n');
}
