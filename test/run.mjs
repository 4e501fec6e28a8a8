#!/usr/bin/env node
// The project's one test command: services → typecheck → every uvu file → "N passed, N failed".
// Each test file runs in its own process (uvu's model); unit files two at a time, integration
// files (*.itg.test.ts, test/e2e) one at a time because they share the real engine and registries.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, leftovers, remove, snapshot } from './lib/leftovers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function step(title, cmd, cmdArgs) {
  console.log(`\n== ${title}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`${title} failed (exit ${r.status})`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

function find(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name === 'dist' || name === 'fixtures' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

if (!unitOnly) step('services', 'bash', [join(root, 'test/services/start')]);
step('typecheck + build', join(root, 'node_modules/.bin/tsc'), ['-b']);
step('bundle the CLI', process.execPath, [join(root, 'scripts/bundle.mjs')]);
step('typecheck tests', join(root, 'node_modules/.bin/tsc'), ['-p', 'test/tsconfig.json']);

let files = [...find(join(root, 'packages')), ...find(join(root, 'test'))];
// Filters match the path inside the repository (the checkout's own path would match everything).
if (filters.length) files = files.filter((f) => filters.some((x) => relative(root, f).includes(x)));
const isItg = (f) => f.endsWith('.itg.test.ts') || f.includes('/test/e2e/');
if (unitOnly) files = files.filter((f) => !isItg(f));

const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const num = (label) => Number((out.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? NaN);
      let total = num('Total'), passed = num('Passed'), skipped = num('Skipped');
      if (Number.isNaN(total)) { total = 1; passed = 0; skipped = 0; } // crashed before uvu's summary
      if (code !== 0 && passed === total) passed = total - 1; // failed after its summary (e.g. an unhandled rejection)
      resolve({ file, out, total, passed, skipped: skipped || 0, code });
    });
  });
}

// CI runs one suite on its machine: what an integration file leaves on the engine is that file's, removed.
const sweep = process.env.CI === 'true';
const left = [];

async function pool(list, width, account = false) {
  const results = [];
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(width, list.length) }, async () => {
    while (i < list.length) {
      const f = list[i++];
      const before = account ? await snapshot() : undefined;
      const r = await runFile(f);
      const failed = r.total - r.passed;
      console.log(`\n-- ${relative(root, f)}: ${r.passed} passed, ${failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
      if (before) {
        const l = await leftovers(before);
        if (Object.keys(l).length) {
          console.log(`   left on the engine: ${describe(l)}${sweep ? ' (removed)' : ''}`);
          left.push(`${relative(root, f)}: ${describe(l)}`);
          if (sweep) await remove(l);
        }
      }
      if (failed || process.env.TEST_VERBOSE) console.log(r.out.trimEnd());
      else for (const line of r.out.split('\n')) if (/^\s*(skip|SKIP)\b/.test(line)) console.log(line);
      results.push(r);
    }
  }));
  return results;
}

console.log(`\n== tests (${files.length} files)`);
const results = [
  ...(await pool(files.filter((f) => !isItg(f)), 2)),
  ...(await pool(files.filter(isItg), 1, !unitOnly)),
];
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + (r.total - r.passed), 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
if (left.length) console.log(`\n== left on the engine by ${left.length} file(s)${sweep ? ', removed' : ''}\n${left.join('\n')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed || !results.length ? 1 : 0);
