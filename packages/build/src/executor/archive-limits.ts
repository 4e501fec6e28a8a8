import { quote, UsageError } from '@pipeline/core';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from '../layer/add-tar.js';

const positive = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${name}: Expected a positive whole number, got ${quote(v)}`);
  return Number(v);
};

/** ADD's archive limits from PIPELINE_ADD_MAX_ENTRIES and PIPELINE_ADD_MAX_BYTES, else the defaults. */
export function archiveLimitsFrom(env: NodeJS.ProcessEnv = process.env): ArchiveLimits {
  return { entries: positive(env, 'PIPELINE_ADD_MAX_ENTRIES', DEFAULT_ARCHIVE_LIMITS.entries), bytes: positive(env, 'PIPELINE_ADD_MAX_BYTES', DEFAULT_ARCHIVE_LIMITS.bytes) };
}
