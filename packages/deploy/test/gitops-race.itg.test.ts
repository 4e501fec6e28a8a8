// Ten deploys racing from ten processes against one bare repository: every one lands (in some order),
// no edit is lost, and every update of the branch was a fast-forward of one commit (nothing forced;
// the remote also refuses non-fast-forwards outright).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseDeployTrailers } from '../src/index.js';
import { branchUpdates, git, manifestsRemote, type ManifestsRemote } from './helpers/gitops-repo.js';
import { digestOf, layout } from './helpers/gitops-fixture.js';

const child = fileURLToPath(new URL('./helpers/gitops-deploy-child.ts', import.meta.url));
const N = 10;

interface Outcome { n: number; deployId?: string; committed?: boolean; error?: string }

function race(r: ManifestsRemote, envOf: (n: number) => string): Promise<Outcome[]> {
  return Promise.all(
    Array.from({ length: N }, (_, i) =>
      new Promise<Outcome>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', child, JSON.stringify({ url: r.bare, env: envOf(i + 1), n: i + 1 })], { timeout: 240_000 }, (err, stdout, stderr) => {
          try {
            resolve(JSON.parse(stdout) as Outcome);
          } catch {
            resolve({ n: i + 1, error: `${err?.message ?? ''} ${stderr}`.trim() });
          }
        });
      }),
    ),
  );
}

/** Every branch update on the remote added exactly one commit on top of the previous tip. */
function assertFastForwardsOnly(r: ManifestsRemote, count: number) {
  const updates = branchUpdates(r);
  assert.is(updates.length, count);
  for (const [old, now] of updates) assert.is(git(r.bare, 'rev-parse', `${now}^`).trim(), old, `${now} is not one commit on ${old}`);
  assert.is(git(r.bare, 'rev-list', '--merges', '--count', r.branch).trim(), '0');
}

test('ten environments deployed at once: ten commits, every overlay holds its own digest', async () => {
  const envs = Array.from({ length: N }, (_, i) => `env${i + 1}`);
  const r = manifestsRemote(layout(envs));
  const seed = r.tip();
  const out = await race(r, (n) => `env${n}`);
  assert.equal(out.filter((o) => o.error), []);
  assert.ok(out.every((o) => o.committed));
  for (const e of envs) assert.match(r.show(`overlays/${e}/kustomization.yaml`), new RegExp(`digest: ${digestOf(Number(e.slice(3)))}\n`));
  assert.is(git(r.bare, 'rev-list', '--count', `${seed}..main`).trim(), String(N));
  const ids = git(r.bare, 'log', '--format=%(trailers:key=Pipeline-Deploy-Id,valueonly)', `${seed}..main`).trim().split('\n').filter(Boolean).sort();
  assert.equal(ids, out.map((o) => o.deployId!).sort(), 'each deploy is its own commit');
  assertFastForwardsOnly(r, N);
});

test('ten versions of one environment at once: all ten land; each commit\'s from is the one before\'s to', async () => {
  const r = manifestsRemote(layout(['production']));
  const seed = r.tip();
  const out = await race(r, () => 'production');
  assert.equal(out.filter((o) => o.error), []);
  const commits = git(r.bare, 'rev-list', '--reverse', `${seed}..main`).trim().split('\n');
  assert.is(commits.length, N);
  const chain = commits.map((c) => parseDeployTrailers(git(r.bare, 'log', '-1', '--format=%(trailers:only,unfold)', c))!);
  assert.equal(chain.map((t) => t.to.digest).sort(), out.map((o) => digestOf(o.n)).sort());
  for (let i = 1; i < N; i++) assert.is(chain[i].from?.digest, chain[i - 1].to.digest, `commit ${i + 1} edited what commit ${i} wrote`);
  assert.match(r.show('overlays/production/kustomization.yaml'), new RegExp(`digest: ${chain[N - 1].to.digest}\n`));
  assertFastForwardsOnly(r, N);
});

test.run();
