#!/usr/bin/env node
// GitOps target speed (issue 16): an exact edit of a large multi-document manifest beside the yaml
// package's Document round trip (how many bytes outside the changed values each one moves), a deploy
// and a no-op deploy to a bare repository, and ten deploys racing from ten processes (wall time, push
// rounds). Writes bench/results/gitops.json and gitops.md.   node bench/gitops.mjs   (after npm run build)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const d = await import(join(root, 'packages/deploy/dist/index.js'));
const work = mkdtempSync(join(tmpdir(), 'bench-gitops-'));
const git = (cwd, ...a) => execFileSync('git', a, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@x' } });
const REPO = 'registry.example.com/team/web';
const digest = (n) => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;
const sha = (n) => `a${n.toString(16).padStart(7, '0')}`.repeat(5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t0) => +(performance.now() - t0).toFixed(1);
const load = () => loadavg().map((x) => +x.toFixed(2));
const out = { when: new Date().toISOString(), loadBefore: load() };

// 1. Exact edit vs Document round trip on 400 documents (~200 KiB) with comments and flow maps.
const doc = (i) => `# workload ${i}\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w${i}, labels: {app: "w${i}"}}\nspec:\n  replicas: 2   # two\n  template:\n    spec:\n      containers:\n        - name: ${i % 2 ? 'web' : 'side'}\n          image: '${REPO}:v1'   # pinned by CI\n          args: [--port, "8080"]\n`;
const big = Array.from({ length: 400 }, (_, i) => doc(i)).join('---\n');
const edit = { kind: 'manifest', file: 'all.yaml', container: 'web' };
const desired = { name: REPO, tag: sha(1), sha: sha(1), digest: digest(1) };
const exact = [];
let edited = '';
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const files = new d.ManifestFiles({ read: async () => big, yamlFiles: async () => undefined });
  edited = (await d.writeChanges(files, await d.planEdits(files, [edit], desired))).texts.get('all.yaml');
  exact.push(ms(t0));
}
const roundTrip = [];
let rt = '';
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const docs = parseAllDocuments(big);
  for (const x of docs) for (const c of x.getIn(['spec', 'template', 'spec', 'containers'])?.items ?? []) if (c.get('name') === 'web') c.set('image', `${REPO}:${sha(1)}@${digest(1)}`);
  rt = docs.map((x) => x.toString()).join('---\n');
  roundTrip.push(ms(t0));
}
// Lines that differ once the image values are masked out (a multiset difference, so shifted lines count once).
const newRef = `${REPO}:${sha(1)}@${digest(1)}`;
const mask = (s, value) => s.split(`'${value}'`).join('§').split(`"${value}"`).join('§').split(value).join('§');
const differ = (a, b) => {
  const count = new Map();
  for (const l of a.split('\n')) count.set(l, (count.get(l) ?? 0) + 1);
  let n = 0;
  for (const l of b.split('\n')) if (count.get(l)) count.set(l, count.get(l) - 1); else n++;
  return n + [...count.values()].reduce((x, y) => x + y, 0);
};
const both = (s) => mask(mask(s, `${REPO}:v1`), newRef);
const before = both(big);
out.edit = {
  documents: 400, bytes: big.length, containersEdited: 200,
  exactMs: median(exact), documentRoundTripMs: median(roundTrip),
  exactLinesChangedOutsideValues: differ(before, both(edited)),
  documentRoundTripLinesChangedOutsideValues: differ(before, both(rt)),
};

// 2. A deploy, a no-op deploy, sequentially, to a bare repository.
const bare = join(work, 'm.git');
git(work, 'init', '-q', '--bare', '-b', 'main', bare);
const seed = join(work, 'seed');
mkdirSync(join(seed, 'overlays/production'), { recursive: true });
git(seed, 'init', '-q', '-b', 'main');
for (let e = 0; e < 10; e++) {
  mkdirSync(join(seed, `overlays/env${e}`), { recursive: true });
  writeFileSync(join(seed, `overlays/env${e}/kustomization.yaml`), `resources: [../../base]\nimages:\n  - name: ${REPO}\n    newTag: v1   # set by pipeline\n`);
}
writeFileSync(join(seed, 'overlays/production/kustomization.yaml'), `resources: [../../base]\nimages:\n  - name: ${REPO}\n    newTag: v1\n`);
git(seed, 'add', '-A');
git(seed, 'commit', '-qm', 'seed');
git(seed, 'push', '-q', bare, 'HEAD:main');
const envOf = (name) => d.parseDeployConfig({ [name]: { target: 'gitops', image: REPO, repository: bare, edits: [{ kustomize: `overlays/${name}/kustomization.yaml` }], push: { attempts: 60 } } }, () => ({ file: 'bench' }))[name];
const seq = [];
for (let n = 1; n <= 5; n++) {
  const t0 = performance.now();
  await d.deploy({ env: envOf('production'), image: `${REPO}@${digest(n)}`, sha: sha(n), actor: 'bench' });
  seq.push(ms(t0));
}
const noop = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  await d.deploy({ env: envOf('production'), image: `${REPO}@${digest(5)}`, sha: sha(5), actor: 'bench' });
  noop.push(ms(t0));
}
out.deploy = { deployMedianMs: median(seq), deployRuns: seq, noopMedianMs: median(noop), noopRuns: noop };

// 3. Ten deploys from ten processes at once (one environment each), wall time and push rounds.
const child = join(work, 'child.mjs');
writeFileSync(child, `const d = await import(${JSON.stringify(join(root, 'packages/deploy/dist/index.js'))});
const [bare, env, n] = process.argv.slice(2);
let rounds = 1;
const logger = { debug() {}, warn() {}, progress() {}, group: (_t, f) => f(), info(m) { const r = / after (\\d+) rounds/.exec(m); if (r) rounds = +r[1]; } };
const e = d.parseDeployConfig({ [env]: { target: 'gitops', image: ${JSON.stringify(REPO)}, repository: bare, edits: [{ kustomize: 'overlays/' + env + '/kustomization.yaml' }], push: { attempts: 60 } } }, () => ({ file: 'bench' }))[env];
const t0 = performance.now();
await d.deploy({ env: e, image: ${JSON.stringify(REPO)} + '@sha256:' + n.padStart(4, '0').repeat(16), sha: 'abc' + n, actor: 'racer', logger });
process.stdout.write(JSON.stringify({ rounds, ms: +(performance.now() - t0).toFixed(1) }));
`);
const raceBase = git(bare, 'rev-parse', 'main').trim();
const t0 = performance.now();
const racers = await Promise.all(Array.from({ length: 10 }, (_, i) => new Promise((resolve, reject) => {
  const p = spawn(process.execPath, [child, bare, `env${i}`, String(i + 1)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let s = '';
  p.stdout.on('data', (b) => (s += b));
  p.on('close', (code) => (code === 0 ? resolve(JSON.parse(s)) : reject(new Error(`racer ${i} exit ${code}`))));
})));
out.race = { processes: 10, wallMs: ms(t0), perDeployMs: racers.map((r) => r.ms), rounds: racers.map((r) => r.rounds), commits: +git(bare, 'rev-list', '--count', `${raceBase}..main`).trim() };
out.loadAfter = load();
rmSync(work, { recursive: true, force: true });

const dir = join(root, 'bench/results');
writeFileSync(join(dir, 'gitops.json'), JSON.stringify(out, null, 2) + '\n');
writeFileSync(join(dir, 'gitops.md'), `# GitOps target (${out.when}, load ${out.loadBefore.join(' ')} → ${out.loadAfter.join(' ')})

| | result |
|---|---|
| exact edit, 400 documents (${(big.length / 1024).toFixed(0)} KiB), 200 containers | ${out.edit.exactMs} ms, ${out.edit.exactLinesChangedOutsideValues} lines changed outside the values |
| yaml Document parse + set + toString, same edit | ${out.edit.documentRoundTripMs} ms, ${out.edit.documentRoundTripLinesChangedOutsideValues} lines changed outside the values |
| deploy to a bare repository (fetch, edit, commit, push), median of ${seq.length} | ${out.deploy.deployMedianMs} ms |
| the same image again (no commit), median of ${noop.length} | ${out.deploy.noopMedianMs} ms |
| ten deploys from ten processes at once | ${out.race.commits} commits landed in ${out.race.wallMs} ms wall; push rounds ${out.race.rounds.join(', ')} |
`);
console.log(JSON.stringify(out, null, 2));
