// `kubectl kustomize` as the reference renderer, with whichever kubectl the machine has: the upstream
// one (kustomize v5) or Debian's kubernetes-client (kustomize v2.0.3, which takes a directory only
// under `bases:`; the copy it renders is rewritten so, and its rendering drops the tag beside a digest).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let major: number | undefined;
export const kustomizeMajor = () => (major ??= Number(/Kustomize Version: v(\d+)/.exec(execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8' }))?.[1] ?? 2));

/** For kustomize v2: `resources:` entries that are directories move under `bases:` (in place: pass a copy). */
function toBases(dir: string): void {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) toBases(p);
    else if (n === 'kustomization.yaml') {
      const text = readFileSync(p, 'utf8');
      const dirs = [...text.matchAll(/^\s*- (\S+)\s*$/gm)].map((m) => m[1]).filter((r) => statSync(join(dir, r), { throwIfNoEntry: false })?.isDirectory());
      if (!dirs.length) continue;
      let out = text;
      for (const d of dirs) out = out.replace(new RegExp(`^\\s*- ${d.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s*$\\n?`, 'm'), '');
      writeFileSync(p, `${out.replace(/^resources:\s*\n(?=\S|$)/m, '')}\nbases:\n${dirs.map((d) => `- ${d}`).join('\n')}\n`);
    }
  }
}

/** Renders the kustomization in `dir` (a scratch copy: v2 may rewrite it). */
export function kustomizeBuild(root: string, dir: string): string {
  if (kustomizeMajor() < 3) toBases(root);
  return execFileSync('kubectl', ['kustomize', join(root, dir)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** What the overlay's image renders as when the edit kept the tag beside the digest. */
export const renderedPin = (name: string, tag: string, digest: string) => (kustomizeMajor() >= 4 ? `${name}:${tag}@${digest}` : `${name}@${digest}`);
