import { PipelineError, quote } from '@pipeline/core';
import type { Descriptor, Platform } from './types.js';

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export function parsePlatform(s: string): Platform {
  const [os, architecture, variant] = s.split('/');
  if (!os || !architecture) throw new PipelineError('usage', `Expected a platform like linux/amd64 or linux/arm64/v8, got ${quote(s)}`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Picks the manifest for a platform from an index, as `docker pull` does (variant optional). */
export function pickPlatform(manifests: Descriptor[], want: Platform | undefined, where: string): Descriptor {
  const p = want ?? DEFAULT_PLATFORM;
  const match = manifests.filter((m) => m.platform && m.platform.os === p.os && m.platform.architecture === p.architecture && (!p.variant || m.platform.variant === p.variant));
  if (match.length) return match[0];
  if (!want && manifests.length && manifests.every((m) => !m.platform)) return manifests[0];
  const have = manifests.map((m) => (m.platform ? formatPlatform(m.platform) : 'unknown')).join(', ');
  throw new PipelineError('usage', `${where} has no image for ${formatPlatform(p)}`, { hint: `Expected one of: ${have}; choose with --platform` });
}
