// A readable difference between Docker's image and pipeline's: one line per path or config field.
import { isDeepStrictEqual } from 'node:util';
import type { FsEntry, Snapshot } from './snapshot.js';

const show = (e: FsEntry | undefined): string => {
  if (!e) return '(missing)';
  const parts = [e.type, e.mode, e.owner];
  if (e.type === 'file') parts.push(`${e.size}B`, e.sha256 ?? '');
  if (e.link !== undefined) parts.push(`-> ${e.link}`);
  return parts.join(' ');
};

/** Differences as lines `path: docker … | pipeline …`; empty when the images are the same. */
export function diffSnapshots(docker: Snapshot, ours: Snapshot): string[] {
  const lines: string[] = [];
  const paths = [...new Set([...docker.fs.keys(), ...ours.fs.keys()])].sort();
  for (const p of paths) {
    const a = docker.fs.get(p);
    const b = ours.fs.get(p);
    if (!isDeepStrictEqual(a, b)) lines.push(`  ${p}\n      docker:   ${show(a)}\n      pipeline: ${show(b)}`);
  }
  const keys = [...new Set([...Object.keys(docker.config), ...Object.keys(ours.config)])].sort();
  for (const k of keys) {
    const a = docker.config[k];
    const b = ours.config[k];
    if (!isDeepStrictEqual(a, b)) lines.push(`  config ${k}\n      docker:   ${JSON.stringify(a) ?? '(unset)'}\n      pipeline: ${JSON.stringify(b) ?? '(unset)'}`);
  }
  return lines;
}
