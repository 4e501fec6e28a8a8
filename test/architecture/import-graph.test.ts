// DESIGN.md's dependency rules, checked on the source: core ← build, core ← deploy,
// {build, deploy} ← cli ← action; deploy never imports build; the image model never imports a
// transport; no cycles between the folders of a package (a cycle is how one rule ends up in two places).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES = ['core', 'build', 'deploy', 'cli', 'action'];
const ALLOWED: Record<string, string[]> = { core: [], build: ['core'], deploy: ['core'], cli: ['core', 'build', 'deploy'], action: ['core', 'build', 'deploy', 'cli'] };

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|[;\s])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

interface Edge { from: string; to: string; file: string }
function edges(pkg: string): { packages: Edge[]; folders: Edge[] } {
  const src = join(root, 'packages', pkg, 'src');
  const packages: Edge[] = [];
  const folders: Edge[] = [];
  // A file in a folder counts as its folder; a file at src/ (the composition root, small shared leaves) as itself.
  const nodeOf = (abs: string) => relative(src, dirname(abs)).split('/')[0] || relative(src, abs).replace(/\.js$/, '.ts');
  for (const file of sources(src)) {
    const rel = relative(root, file);
    for (const spec of importsOf(file)) {
      const pm = /^@pipeline\/([^/]+)/.exec(spec);
      if (pm) packages.push({ from: pkg, to: pm[1], file: rel });
      else if (spec.startsWith('.')) folders.push({ from: nodeOf(file), to: nodeOf(resolve(dirname(file), spec)), file: rel });
    }
  }
  return { packages, folders };
}

/** Folder cycles, as lists of folders (Tarjan's strongly connected components with more than one node). */
function cycles(list: Edge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const e of list) if (e.from !== e.to) (graph.get(e.from) ?? graph.set(e.from, new Set()).get(e.from)!).add(e.to);
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index++); stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test('packages import only the packages DESIGN.md allows (and declare them)', () => {
  const bad: string[] = [];
  for (const pkg of PACKAGES) {
    const declared = Object.keys((JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
    for (const e of edges(pkg).packages) {
      if (e.to === pkg) bad.push(`${e.file} imports its own package @pipeline/${pkg}`);
      else if (!ALLOWED[pkg].includes(e.to)) bad.push(`${e.file}: @pipeline/${pkg} may not import @pipeline/${e.to}`);
      else if (!declared.includes(`@pipeline/${e.to}`)) bad.push(`${e.file} imports @pipeline/${e.to}, which packages/${pkg}/package.json does not declare`);
    }
  }
  assert.equal(bad, []);
});

test('the image model never imports a transport (registry, layouts, archives, the store)', () => {
  const bad = edges('build').folders.filter((e) => e.from === 'model' && e.to !== 'model').map((e) => `${e.file} imports ${e.to}/`);
  assert.equal(bad, []);
});

test('no cycles between the folders of a package', () => {
  const bad: string[] = [];
  for (const pkg of PACKAGES) {
    const list = edges(pkg).folders;
    for (const c of cycles(list)) {
      const files = list.filter((e) => c.includes(e.from) && c.includes(e.to) && e.from !== e.to).map((e) => `${e.file} → ${e.to}/`);
      bad.push(`packages/${pkg}/src: ${c.join(' ⇄ ')} (${[...new Set(files)].join('; ')})`);
    }
  }
  assert.equal(bad, []);
});

test('the checks see real edges (a scan that finds nothing proves nothing)', () => {
  const b = edges('build');
  assert.ok(b.packages.some((e) => e.to === 'core'));
  assert.ok(b.folders.some((e) => e.from === 'executor' && e.to === 'layer'));
  assert.equal(cycles([{ from: 'a', to: 'b', file: 'x' }, { from: 'b', to: 'a', file: 'y' }, { from: 'b', to: 'c', file: 'z' }]), [['a', 'b']]);
});

test.run();
