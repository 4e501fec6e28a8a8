// Manifests and configs come from outside (a registry, an OCI layout, a docker-archive): before the
// model reads them, check they have the shape it relies on, so a hostile one is a typed error, not
// a TypeError deep inside.
import { isDigest } from '@pipeline/core';
import type { Descriptor, ImageConfig, Index, Manifest } from './types.js';

const isDescriptor = (d: unknown): d is Descriptor =>
  !!d && typeof d === 'object' && typeof (d as Descriptor).digest === 'string' && isDigest((d as Descriptor).digest) && Number.isSafeInteger((d as Descriptor).size) && (d as Descriptor).size >= 0;

/** What a manifest lacks to be read safely (an index needs `manifests`, an image a config and `layers`), or undefined. */
export function manifestShapeProblem(m: Manifest | Index): string | undefined {
  if ('manifests' in m) return Array.isArray(m.manifests) && m.manifests.every(isDescriptor) ? undefined : 'is an index whose manifests are not a list of descriptors';
  if (!isDescriptor((m as Manifest).config)) return 'has no config descriptor';
  if (!Array.isArray((m as Manifest).layers) || !(m as Manifest).layers.every(isDescriptor)) return 'has no list of layer descriptors';
  return undefined;
}

/** What an image config lacks (rootfs.diff_ids as a list of digests, one per layer), or undefined. */
export function configShapeProblem(c: ImageConfig, layers: number): string | undefined {
  const ids = (c.rootfs as { diff_ids?: unknown } | undefined)?.diff_ids ?? [];
  if (!Array.isArray(ids) || !ids.every((d) => typeof d === 'string' && isDigest(d))) return 'its config has no list of rootfs.diff_ids';
  if (ids.length !== layers) return `its config lists ${ids.length} diff_ids for ${layers} layers`;
  if (c.config !== undefined && (typeof c.config !== 'object' || Array.isArray(c.config))) return 'its config.config is not a mapping';
  return undefined;
}
