/**
 * The image dependency graph: each image has at most one base inside the pipeline (its `from:`),
 * so the graph is a forest. Pure functions over `parents` (image → base image name, or undefined).
 */
import { relative, isAbsolute, sep } from 'node:path';

export type Parents = Record<string, string | undefined>;

/** `{ os: undefined, node: 'os', app: 'node' }` from the images' `from:` (external bases are no edge). */
export function parentsOf(images: Record<string, { from?: { kind: 'image'; name: string } | { kind: 'external'; ref: string } }>): Parents {
  const out: Parents = {};
  for (const [name, img] of Object.entries(images)) out[name] = img.from?.kind === 'image' ? img.from.name : undefined;
  return out;
}

/** The first cycle found, as a closed walk `[a, b, a]` following `from:`; undefined if there is none. */
export function findCycle(parents: Parents): string[] | undefined {
  for (const start of Object.keys(parents)) {
    const seen: string[] = [];
    for (let n: string | undefined = start; n !== undefined && n in parents; n = parents[n]) {
      const i = seen.indexOf(n);
      if (i >= 0) return [...seen.slice(i), n];
      seen.push(n);
    }
  }
  return undefined;
}

/** Every base before the images built on it; ties keep declaration order. Throws on a cycle. */
export function topoOrder(parents: Parents): string[] {
  const cycle = findCycle(parents);
  if (cycle) throw new Error(`image graph has a cycle: ${cycle.join(' → ')}`);
  const out: string[] = [];
  const visit = (n: string): void => {
    if (out.includes(n)) return;
    const p = parents[n];
    if (p !== undefined && p in parents) visit(p);
    out.push(n);
  };
  Object.keys(parents).forEach(visit);
  return out;
}

/** Images built directly on each image. */
export function childrenOf(parents: Parents): Record<string, string[]> {
  const out: Record<string, string[]> = Object.fromEntries(Object.keys(parents).map((n) => [n, [] as string[]]));
  for (const [n, p] of Object.entries(parents)) if (p !== undefined && p in out) out[p].push(n);
  return out;
}

/** The changed images and everything downstream of them, in build order. Unknown names are ignored. */
export function affected(parents: Parents, changed: string[]): string[] {
  const hit = (n: string | undefined): boolean => n !== undefined && n in parents && (changed.includes(n) || hit(parents[n]));
  return topoOrder(parents).filter(hit);
}

/** Length of the in-pipeline chain ending at each image: a root is 1, OS → node → app gives app 3. */
export function depths(parents: Parents): Record<string, number> {
  const out: Record<string, number> = {};
  const depth = (n: string): number => (out[n] ??= parents[n] !== undefined && parents[n]! in parents ? depth(parents[n]!) + 1 : 1);
  topoOrder(parents).forEach(depth);
  return out;
}

/** The chain from the root down to `name`: `['os', 'node', 'app']`. */
export function chainOf(parents: Parents, name: string): string[] {
  const chain: string[] = [];
  for (let n: string | undefined = name; n !== undefined && n in parents && !chain.includes(n); n = parents[n]) chain.unshift(n);
  return chain;
}

/** Which images a set of changed files touches: a file inside an image's context, or its Dockerfile. Absolute paths. */
export function imagesForPaths(images: Record<string, { context: string; dockerfile: string }>, files: string[]): string[] {
  const inside = (dir: string, f: string) => {
    const r = relative(dir, f);
    return r === '' || (!r.startsWith('..' + sep) && r !== '..' && !isAbsolute(r));
  };
  return Object.keys(images).filter((n) => files.some((f) => f === images[n].dockerfile || inside(images[n].context, f)));
}
