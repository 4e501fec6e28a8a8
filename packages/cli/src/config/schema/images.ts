import { cut } from '@pipeline/core';
import type { Ctx } from '../kit.js';
import { fail, obj, warnOrFail } from '../kit.js';
import type { ImageConfig } from '../types.js';
import { parseImage } from './image.js';
import { childrenOf, depths, findCycle, parentsOf, chainOf, topoOrder } from '../graph.js';

/** The deepest chain the three-layer model allows: OS → middleware → app. */
export const MAX_CHAIN = 3;

/** `images:` plus the checks that need all of them: cycles, chain depth, versioned bases. */
export function parseImages(ctx: Ctx, dir: string, raw: unknown): { images: Record<string, ImageConfig>; order: string[] } {
  if (raw === undefined || raw === null) return { images: {}, order: [] };
  const r = obj(ctx, ['images'], raw);
  const names = Object.keys(r);
  const images: Record<string, ImageConfig> = {};
  for (const name of names) images[name] = parseImage(ctx, dir, name, r[name], names);
  const parents = parentsOf(images);
  const cycle = findCycle(parents);
  if (cycle) fail(ctx, ['images', cycle[0], 'from'], `cycle in from: ${cycle.join(' → ')}`, { hint: 'one image of the cycle must start from an external base' });
  const depth = depths(parents);
  const children = childrenOf(parents);
  for (const name of names) {
    if (depth[name] > MAX_CHAIN) warnOrFail(ctx, ['images', name, 'from'], `chain ${chainOf(parents, name).join(' → ')} is ${depth[name]} images deep; expected at most ${MAX_CHAIN} (OS → middleware → app)`, 'fold a layer into its neighbour');
    if (children[name].length && !images[name].version) {
      fail(ctx, ['images', name], `'${cut(name)}' is the base of ${children[name].join(', ')} but has no version:`, { key: true, hint: 'OS and middleware images are tagged with their software version: add version: "1.2.3", { label: … } or { arg: … }' });
    }
  }
  return { images, order: topoOrder(parents) };
}
