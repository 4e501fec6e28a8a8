// Docker conformance: every case in cases/ is built by `docker build` (BuildKit) and by pipeline,
// and the two images must have the same filesystem and config. See README.md to add a case.
// CONFORMANCE=substring[,substring…] runs only matching cases; PIPELINE_TEST_KEEP=1 keeps contexts and archives.
import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { needs, services } from '../lib/services.js';
import { tempDir } from '../lib/tmp.js';
import { allCases } from './cases/index.js';
import { runCase, type CaseOutcome, type RunSettings } from './runner.js';

/** Cases built at once: the engine builds while pipeline compresses; the 2 cores bound the rest. */
const CONCURRENCY = 3;

const only = process.env.CONFORMANCE;
const cases = only ? allCases.filter((c) => only.split(',').some((o) => c.name.includes(o))) : allCases;

test('case names are unique and kebab-case', () => {
  const seen = new Set<string>();
  for (const c of allCases) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(c.name)) throw new Error(`case name ${JSON.stringify(c.name)}: expected kebab-case`);
    if (seen.has(c.name)) throw new Error(`two cases are named ${c.name}`);
    seen.add(c.name);
  }
});

if (needs(test, 'docker', 'registry', 'images')) {
  const img = services().images;
  const settings: RunSettings = {
    work: tempDir('pipeline-conformance-'),
    runId: randomBytes(3).toString('hex'),
    bases: { busybox: img.busybox, node: img.node, distro: img.distro },
    keep: process.env.PIPELINE_TEST_KEEP === '1',
  };
  const started = Date.now();
  const outcomes = new Map<string, Promise<CaseOutcome>>();
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const p = runCase(c, settings);
      outcomes.set(c.name, p);
      await p.catch(() => {});
    }
  };
  // Cases start in order; a test waits for its own case (started by then, or started now).
  const workers = Array.from({ length: CONCURRENCY }, worker);
  const outcome = (name: string) => outcomes.get(name) ?? new Promise<CaseOutcome>((resolve, reject) => {
    const poll = setInterval(() => {
      const p = outcomes.get(name);
      if (p) clearInterval(poll), p.then(resolve, reject);
    }, 20);
  });

  for (const c of cases) {
    test(`${c.name} builds the same image as docker build`, async () => {
      const o = await outcome(c.name);
      if (!o.problems.length) return;
      const e = new Error(`\n${o.problems.join('\n')}\n`);
      e.stack = ''; // the diff says it all; a stack would print it twice
      throw e;
    });
  }
  test.after(async () => {
    await Promise.all(workers);
    const times = await Promise.all([...outcomes.values()].map((p) => p.catch(() => undefined)));
    const sum = (k: 'docker' | 'pipeline') => times.reduce((n, t) => n + (t?.seconds[k] ?? 0), 0).toFixed(1);
    console.log(`conformance: ${cases.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s (docker build ${sum('docker')} s, pipeline + load ${sum('pipeline')} s, summed over cases)`);
  });
}

test.run();
