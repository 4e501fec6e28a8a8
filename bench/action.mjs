#!/usr/bin/env node
// The GitHub Action side by side with the CLI on the bench fixture app: time from `node …` start to
// the first log line, and the whole step (build + push), run as the runner runs the Action (INPUT_*,
// GITHUB_* of a push event, file commands) in a git checkout of the fixture. Medians (and minima) of
// several runs; the machine's load is recorded with them (2 shared cores: timings are noisy).
// Writes bench/results/action.json and action.md.   node bench/action.mjs [RUNS]
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFixture, work } from './fixture.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const ACTION = join(root, 'dist/action/index.mjs');
const CLI = join(root, 'packages/cli/bin/pipeline.js');
const RUNS = Number(process.argv[2] ?? 5);
const REG = '127.0.0.1:5000';
const run = Date.now().toString(36);

execFileSync('bash', [join(root, 'test/services/start')], { stdio: 'inherit' });
const fx = makeFixture(`${REG}/base/node:20`);
// The fixture as a repository of its own (the Action tags from git), committed once.
const repo = join(work, 'action-repo');
if (!existsSync(join(repo, '.git'))) {
  cpSync(fx.app, repo, { recursive: true });
  const git = (...a) => execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@x', ...a], { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'fixture');
}
const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();

/** Spawns a command; resolves with the time to its first output line and to its exit (ms). */
function measure(cmd, args, env, cwd, expectCode = 0) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first;
    let firstText = '';
    let err = '';
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (d) => {
      if (first === undefined && String(d).includes('\n')) (first = performance.now() - t0), (firstText = String(d).split('\n')[0]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (onData(d), (err += d)));
    child.on('close', (code) => (code === expectCode ? resolve({ firstMs: first, totalMs: performance.now() - t0, firstText }) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}\n${err}`))));
  });
}

/** The runner's environment for a push to main, with fresh file-command files. */
function actionEnv(inputs, cache) {
  const temp = mkdtempSync(join(tmpdir(), 'bench-runner-'));
  const files = Object.fromEntries(['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_PATH'].map((n) => [n, join(temp, n.toLowerCase())]));
  for (const f of Object.values(files)) writeFileSync(f, '');
  writeFileSync(join(temp, 'event.json'), JSON.stringify({ ref: 'refs/heads/main', after: sha, repository: { full_name: 'bench/app', default_branch: 'main' } }));
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|INPUT_|PIPELINE_|PLUGIN_|CI_)/.test(k)));
  return {
    temp,
    env: {
      ...clean, CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: repo, GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: join(temp, 'event.json'),
      GITHUB_SHA: sha, GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main', GITHUB_REF_TYPE: 'branch', GITHUB_REPOSITORY: 'bench/app',
      GITHUB_SERVER_URL: 'https://github.com', GITHUB_RUN_ID: '1', GITHUB_ACTOR: 'bench', RUNNER_TEMP: temp, XDG_CACHE_HOME: cache,
      SOURCE_DATE_EPOCH: '1700000000', ...files,
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    },
  };
}
const cliEnv = (cache) => ({ ...process.env, CI: 'true', XDG_CACHE_HOME: cache, SOURCE_DATE_EPOCH: '1700000000' });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summarize = (rs) => ({ firstMs: { median: Math.round(median(rs.map((r) => r.firstMs))), min: Math.round(Math.min(...rs.map((r) => r.firstMs))) }, totalMs: { median: Math.round(median(rs.map((r) => r.totalMs))), min: Math.round(Math.min(...rs.map((r) => r.totalMs))) }, firstLine: rs[0].firstText });

async function series(label, n, one) {
  const rs = [];
  for (let i = 0; i < n; i++) {
    const r = await one(i);
    console.log(`${label.padEnd(56)} first line ${String(Math.round(r.firstMs)).padStart(5)} ms, total ${String(Math.round(r.totalMs)).padStart(6)} ms`);
    rs.push(r);
  }
  return summarize(rs);
}

const load = { before: loadavg().map((x) => +x.toFixed(2)) };
const scratch = join(work, `action-bench-${run}`);
mkdirSync(scratch, { recursive: true });
const results = { date: new Date().toISOString(), machine: `${execFileSync('nproc').toString().trim()} cores`, node: process.version, runs: RUNS, fixture: { files: fx.files, mib: +(fx.bytes / 1048576).toFixed(1) } };

// Cold: a fresh layer cache and a new repository each run (the base is mounted inside the registry).
results.coldAction = await series('Action: build + push, cold cache, new repository', RUNS, (i) => {
  const { env, temp } = actionEnv({ image: `${REG}/bench/action-${run}-${i}` }, join(scratch, `a-cold-${i}`));
  return measure(process.execPath, [ACTION], env, repo).finally(() => rmSync(temp, { recursive: true, force: true }));
});
results.coldCli = await series('CLI: build --push, cold cache, new repository', RUNS, (i) =>
  measure(process.execPath, [CLI, 'build', '.', '--push', '--image', `${REG}/bench/cli-${run}-${i}`], cliEnv(join(scratch, `c-cold-${i}`)), repo),
);
// Warm: the same commit again (layer cache warm, the registry has every blob): the re-run of a step.
const warmA = join(scratch, 'a-warm');
const warmC = join(scratch, 'c-warm');
results.warmAction = await series('Action: same commit again (warm cache, nothing to send)', RUNS, () => {
  const { env, temp } = actionEnv({ image: `${REG}/bench/action-${run}-warm` }, warmA);
  return measure(process.execPath, [ACTION], env, repo).finally(() => rmSync(temp, { recursive: true, force: true }));
});
results.warmCli = await series('CLI: same commit again (warm cache, nothing to send)', RUNS, () =>
  measure(process.execPath, [CLI, 'build', '.', '--push', '--image', `${REG}/bench/cli-${run}-warm`], cliEnv(warmC), repo),
);
// Start-up alone: a bad setting stops both right after loading what a build loads and resolving the settings.
results.startAction = await series('Action: start-up to the first log line (a bad input)', RUNS, () => {
  const { env, temp } = actionEnv({ image: `${REG}/bench/x`, summary: 'false' }, warmA);
  return measure(process.execPath, [ACTION], { ...env, INPUT_PUSH: 'not-a-bool' }, repo, 2).finally(() => rmSync(temp, { recursive: true, force: true }));
});
results.startCli = await series('CLI: start-up to the first log line (a bad setting)', RUNS, () => measure(process.execPath, [CLI, 'build', '.', '--push'], { ...cliEnv(warmC), PIPELINE_INSECURE: 'not-a-bool' }, repo, 2));
load.after = loadavg().map((x) => +x.toFixed(2));
results.loadAverage = load;
rmSync(scratch, { recursive: true, force: true });

writeFileSync(join(root, 'bench/results/action.json'), JSON.stringify(results, null, 2) + '\n');
const ms = (x) => (Number.isFinite(x) ? `${x} ms` : '–');
const row = (label, a, c) => `| ${label} | ${ms(a.firstMs.median)} (min ${ms(a.firstMs.min)}) | ${ms(c.firstMs.median)} (min ${ms(c.firstMs.min)}) | ${ms(a.totalMs.median)} (min ${ms(a.totalMs.min)}) | ${ms(c.totalMs.median)} (min ${ms(c.totalMs.min)}) |`;
const md = [
  `Action vs CLI, ${results.date.slice(0, 10)} (${results.machine}, Node ${results.node}, load average ${load.before.join(' / ')} before, ${load.after.join(' / ')} after); fixture ${fx.files} files / ${results.fixture.mib} MiB on ${REG}/base/node:20; median of ${RUNS} runs.`,
  '',
  '| | Action: first log line | CLI: first log line | Action: whole step | CLI: whole run |',
  '|---|---|---|---|---|',
  row('build + push, cold cache, new repository', results.coldAction, results.coldCli),
  row('same commit again (warm cache, nothing to send)', results.warmAction, results.warmCli),
  row('start-up only: a bad setting stops the run (exit 2)', results.startAction, results.startCli),
  '',
  `First lines: Action \`${results.coldAction.firstLine}\`, CLI \`${results.coldCli.firstLine}\`.`,
  '',
];
writeFileSync(join(root, 'bench/results/action.md'), md.join('\n'));
console.log(md.join('\n'));
