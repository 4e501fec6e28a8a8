#!/usr/bin/env node
// Time and peak memory of the real binary on hostile input (issue 12), for this checkout and,
// with --before DIR, for another checkout (e.g. `git archive main | tar -x -C DIR && npm ci` there)
// on the same inputs in the same run. Writes bench/results/bad-input.json and bad-input.md.
//   node bench/bad-input.mjs [--before DIR] [--runs N]
// Each command gets 150 s; one that does not finish is reported as such, not waited for.
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const before = arg('--before');
const runs = Number(arg('--runs') ?? 1);
const MiB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'bench-bad-input-'));
const peakFile = join(work, 'peak');
const preload = join(root, 'bench/lib/peak-rss.mjs');

/** The inputs: name → files to write and the command (relative to `work`). */
function inputs() {
  const ctx = (name, dockerfile) => {
    mkdirSync(join(work, name), { recursive: true });
    writeFileSync(join(work, name, 'Dockerfile'), dockerfile);
    return ['build', join(work, name), '-o', `oci:${join(work, name, 'out')}`];
  };
  const yml = (name, text) => {
    writeFileSync(join(work, `${name}.yml`), text);
    return ['plan', '--config', join(work, `${name}.yml`)];
  };
  return [
    { name: 'Dockerfile: 4 MiB unknown instruction', args: ctx('di4', `FROM scratch\n${'A'.repeat(4 * MiB)}\n`) },
    { name: 'Dockerfile: 1 MiB unknown instruction', args: ctx('di1', `FROM scratch\n${'A'.repeat(MiB - 100)}\n`) },
    { name: 'Dockerfile: ${…} nested 100,000 deep', args: ctx('nest', `FROM scratch\nENV A=${'${A:-'.repeat(100_000)}\n`) },
    { name: 'pipeline.yml: 20 MiB plain scalar', args: yml('y20', `version: 1\nimages:\n  app:\n    dockerfile: ${'a'.repeat(20 * MiB)}\n`) },
    { name: 'pipeline.yml: 20 MiB double-quoted scalar', args: yml('y20q', `version: 1\nimages:\n  app:\n    dockerfile: "${'a'.repeat(20 * MiB)}"\n`) },
    { name: 'pipeline.yml: 1 MiB double-quoted scalar (under the cap)', args: yml('y1q', `version: 1\nlint:\n  disable:\n    - "${'k'.repeat(MiB - 100)}"\n`) },
    { name: 'pipeline.yml: alias bomb', args: yml('bomb', ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]', ''].join('\n')) },
    { name: '--help (start-up, for scale)', args: ['--help'] },
  ];
}

function measure(bin, args) {
  rmSync(peakFile, { force: true });
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', preload, bin, ...args], { cwd: work, env: { ...process.env, PEAK_RSS_FILE: peakFile, SOURCE_DATE_EPOCH: '0', XDG_CACHE_HOME: join(work, 'cache') }, maxBuffer: 1 << 28, timeout: 150_000 });
  const s = (performance.now() - t) / 1000;
  const out = `${r.stdout}${r.stderr}`;
  return {
    s: +s.toFixed(2),
    peakMiB: existsSync(peakFile) ? +(Number(readFileSync(peakFile, 'utf8')) / 1024).toFixed(0) : null,
    exit: r.status ?? (r.signal ? `killed (${r.signal}${r.error?.code === 'ETIMEDOUT' ? ', timed out' : ''})` : 'unknown'),
    outputBytes: out.length,
    internalError: /internal error|FATAL ERROR|\n\s+at .+:\d+:\d+/.test(out),
  };
}

const bins = { after: join(root, 'packages/cli/bin/pipeline.js'), ...(before ? { before: join(before, 'packages/cli/bin/pipeline.js') } : {}) };
const load = () => loadavg()[0].toFixed(1);
const results = { date: new Date().toISOString(), machine: `${execFileSync('nproc').toString().trim()} cores`, node: process.version, loadAtStart: load(), runs, rows: [] };
for (const input of inputs()) {
  const row = { input: input.name };
  for (const [which, bin] of Object.entries(bins)) {
    const all = Array.from({ length: runs }, () => measure(bin, input.args));
    row[which] = all.reduce((a, b) => (b.s < a.s ? b : a)); // best of `runs`
    console.log(`${input.name.padEnd(42)} ${which.padEnd(6)} ${String(row[which].s).padStart(6)} s  ${String(row[which].peakMiB ?? '-').padStart(5)} MiB  exit ${row[which].exit}  ${row[which].outputBytes} bytes out${row[which].internalError ? '  INTERNAL ERROR / STACK' : ''}`);
  }
  results.rows.push(row);
}
results.loadAtEnd = load();
rmSync(work, { recursive: true, force: true });

const dir = join(root, 'bench/results');
writeFileSync(join(dir, 'bad-input.json'), JSON.stringify(results, null, 2) + '\n');
const cell = (m) => (m ? `${m.s} s, ${m.peakMiB ?? '—'} MiB, exit ${m.exit}, ${m.outputBytes} B out${m.internalError ? ', **stack trace**' : ''}` : '');
const md = [
  `Bad input, ${results.date.slice(0, 10)} (${results.machine}, Node ${results.node}; load average ${results.loadAtStart} → ${results.loadAtEnd}; best of ${runs}). Time and peak RSS of the whole \`pipeline\` process.`,
  '',
  `| input | ${before ? 'before (main) | ' : ''}after |`,
  `|---|${before ? '---|' : ''}---|`,
  ...results.rows.map((r) => `| ${r.input} | ${before ? `${cell(r.before)} | ` : ''}${cell(r.after)} |`),
  '',
].join('\n');
writeFileSync(join(dir, 'bad-input.md'), md);
console.log(`\nwrote bench/results/bad-input.json and bad-input.md`);
