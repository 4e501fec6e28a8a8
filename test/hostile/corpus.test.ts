// Every fixture of bad input in the repo (every `fixtures/bad/` directory: the Dockerfile error
// corpus, the pipeline.yml corpus, and any added later) through the real binary: each must end in
// exit 2 with a message naming the file, never a stack trace or "internal error" (case.ts judges).
// A new kind of bad fixture needs a runner below, or this test fails and says so.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judge, pool, runHostile, type Run } from './case.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every file under a directory named `bad` inside a `fixtures` directory. */
function badFixtures(dir: string, inFixtures = false, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (!statSync(p).isDirectory()) continue;
    if (inFixtures && name === 'bad') out.push(...readdirSync(p).filter((f) => statSync(join(p, f)).isFile()).map((f) => join(p, f)));
    else badFixtures(p, inFixtures || name === 'fixtures', out);
  }
  return out;
}

/** How each kind of bad fixture reaches the binary; `null` marks a support file (not an input). */
function runsFor(file: string, work: string): Run[] | null | undefined {
  const name = basename(file);
  if (name === 'Dockerfile') return null; // what the config fixtures point at
  if (name.endsWith('.Dockerfile')) {
    // As `docker build` gets it: a context beside it. (`pipeline lint` reads and parses it the same way, readDockerfile + parseDockerfile.)
    return [{ args: ['build', work, '-f', file, '-o', `oci:${join(work, 'out')}`] }];
  }
  if (name.endsWith('.yml') || name.endsWith('.yaml')) return [{ args: ['plan', '--config', file] }];
  return undefined;
}

const fixtures = badFixtures(join(root, 'packages')).concat(badFixtures(join(root, 'test')));

test(`every bad fixture in the repo (${fixtures.length} files) through the binary: exit 2, no stack trace`, async () => {
  const work = mkdtempSync(join(tmpdir(), 'hostile-input-corpus-'));
  try {
    writeFileSync(join(work, 'a'), 'a\n'); // a context with something in it
    const runs: { file: string; run: Run }[] = [];
    const unknown: string[] = [];
    for (const f of fixtures) {
      const r = runsFor(f, work);
      if (r === undefined) unknown.push(relative(root, f));
      for (const run of r ?? []) runs.push({ file: f, run });
    }
    assert.equal(unknown, [], 'bad fixtures of a kind corpus.test.ts cannot run yet: add a runner');
    assert.ok(runs.length >= 100, `only ${runs.length} runs: were the corpora moved?`);
    const failures = (await pool(runs, 3, async ({ file, run }) => {
      const r = await runHostile(run, work);
      const why = judge(r, { code: 2, stderr: new RegExp(basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }, join(work, 'out'));
      return why ? `${relative(root, file)} (pipeline ${run.args[0]}): ${why}` : undefined;
    })).filter(Boolean);
    console.log(`bad-input corpus: ${runs.length} tried, ${runs.length - failures.length} handled`);
    assert.equal(failures, []);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
