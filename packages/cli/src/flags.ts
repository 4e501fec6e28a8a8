import { resolve } from 'node:path';
import { notADirectory, UsageError } from '@pipeline/core';
import type { SettingFlags } from './settings/index.js';

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
const bool = (v: unknown): boolean | undefined => (v === true ? true : undefined);
const items = (v: unknown): string[] | undefined => (list(v).length ? list(v) : undefined);

/** The settings a command's flags give (absent flags stay undefined, so lower layers decide). */
export function settingFlags(v: Record<string, unknown>, images: string[] = []): SettingFlags {
  return {
    registry: str(v.registry),
    namespace: str(v.namespace),
    insecure: bool(v.insecure),
    strict: bool(v.strict),
    tags: items(v.tag),
    images: images.length ? images : undefined,
    sha: str(v.sha),
    branch: str(v.branch),
    config: str(v.config),
    image: str(v.image),
    file: str(v.file),
    context: str(v.context),
    target: str(v.target),
    platform: items(v.platform),
    buildArgs: items(v['build-arg']),
    labels: items(v.label),
    noCache: bool(v['no-cache']),
    executor: str(v.executor),
    push: bool(v.push),
    immutableTags: bool(v['immutable-tags']),
    buildId: str(v['build-id']),
  };
}

/** `--cache-dir DIR` resolved against cwd; a file where the directory belongs is refused before any work. */
export function cacheDirFlag(v: unknown, cwd: string): string | undefined {
  const dir = str(v);
  if (dir === undefined) return undefined;
  const problem = notADirectory(resolve(cwd, dir));
  if (problem) throw new UsageError(`--cache-dir ${dir}: ${problem}`, 'Expected a directory for the layer cache (created when missing)');
  return resolve(cwd, dir);
}
