// Builds a case both ways and compares: `docker build` (BuildKit, on the test engine) and the
// pipeline CLI (docker-archive → `docker load`), each image snapshotted through the engine.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { dockerfileText, writeContext, type Bases, type Case, type Executor } from './case.js';
import { docker } from './engine.js';
import { snapshot, type Snapshot } from './snapshot.js';
import { diffSnapshots } from './diff.js';

const bin = fileURLToPath(new URL('../../packages/cli/bin/pipeline.js', import.meta.url));

export interface RunSettings {
  /** Scratch space of this run: contexts, archives, and pipeline's layer cache (new every run). */
  work: string;
  /** Unique per run: image names are `conformance-<runId>-<case>:<side>`. */
  runId: string;
  bases: Bases;
  keep?: boolean;
}

type Built = { ok: true; snap: Snapshot } | { ok: false; error: string };

export interface CaseOutcome {
  /** Empty when every executor's image matched Docker's (or, for `expect: 'error'`, when all refused as expected). */
  problems: string[];
  seconds: { docker: number; pipeline: number };
}

const argsOf = (c: Case) => [...Object.entries(c.buildArgs ?? {}).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]), ...(c.target ? ['--target', c.target] : [])];
const lastLines = (s: string, n = 6) => s.trim().split('\n').slice(-n).join('\n      ');

async function dockerSide(c: Case, ctx: string, image: string): Promise<Built> {
  // RUN without a network: the test engine has no bridge, and no case may depend on one.
  const r = await docker(['build', '-q', '--network', 'none', '-t', image, ...argsOf(c), ctx], { reject: false });
  if (r.exitCode !== 0) return { ok: false, error: lastLines(String(r.stderr)) };
  return { ok: true, snap: await snapshot(image, { dropOwnLabels: false }) };
}

async function pipelineSide(c: Case, ctx: string, image: string, executor: Executor, s: RunSettings, archive: string): Promise<Built & { exitCode?: number; stderr?: string }> {
  const args = ['build', ctx, '-o', `docker-archive:${archive}:${image}`, '--cache-dir', join(s.work, 'cache'), '--executor', executor, ...argsOf(c)];
  const r = await execa(process.execPath, [bin, ...args], { reject: false, timeout: 600_000, env: { SOURCE_DATE_EPOCH: '1700000000', NO_COLOR: '1' } });
  if (r.exitCode !== 0) return { ok: false, error: `exit ${r.exitCode}: ${lastLines(String(r.stderr))}`, exitCode: r.exitCode, stderr: String(r.stderr) };
  const load = await docker(['load', '-q', '-i', archive], { reject: false });
  if (load.exitCode !== 0) return { ok: false, error: `docker load refused the archive: ${lastLines(String(load.stderr))}` };
  try {
    return { ok: true, snap: await snapshot(image, { dropOwnLabels: true }) };
  } catch (e) {
    return { ok: false, error: `the engine cannot use the image: ${lastLines(String((e as { stderr?: string }).stderr ?? (e as Error).message))}` };
  }
}

/** Builds one case with Docker and with each of its executors; the problems say what differed. */
export async function runCase(c: Case, s: RunSettings): Promise<CaseOutcome> {
  const dir = join(s.work, c.name);
  const ctx = join(dir, 'context');
  mkdirSync(ctx, { recursive: true });
  writeContext(c, ctx, s.bases);
  const name = `conformance-${s.runId}-${c.name}`;
  const images = [`${name}:docker`];
  const problems: string[] = [];
  const seconds = { docker: 0, pipeline: 0 };
  try {
    let t = Date.now();
    const ref = await dockerSide(c, ctx, `${name}:docker`);
    seconds.docker = (Date.now() - t) / 1000;
    for (const ex of c.executors ?? ['native']) {
      t = Date.now();
      const image = `${name}:pipeline-${ex}`;
      images.push(image);
      const ours = await pipelineSide(c, ctx, image, ex, s, join(dir, `${ex}.tar`));
      seconds.pipeline += (Date.now() - t) / 1000;
      const tag = `[${ex}]`;
      if (c.expect === 'pipeline-refuses') {
        if (!ref.ok) problems.push(`${tag} expected docker build to build it, but it failed (fix the case):\n      ${ref.error}`);
        if (ours.ok) problems.push(`${tag} expected pipeline to refuse this Dockerfile, but it built it`);
        else if (ours.exitCode !== 2 || !/Dockerfile:\d+/.test(ours.stderr ?? '')) problems.push(`${tag} expected exit 2 naming Dockerfile:line, got ${ours.error}`);
        continue;
      }
      if (c.expect === 'error') {
        if (ref.ok) problems.push(`${tag} expected docker build to fail, but it built the image (fix the case)`);
        if (ours.ok) problems.push(`${tag} docker refused the Dockerfile but pipeline built it; docker said:\n      ${ref.ok ? '' : ref.error}`);
        else if (ours.exitCode !== 2 || !/Dockerfile:\d+/.test(ours.stderr ?? '')) problems.push(`${tag} expected exit 2 naming Dockerfile:line, got ${ours.error}`);
        continue;
      }
      if (!ref.ok) {
        problems.push(`${tag} docker build failed (fix the case):\n      ${ref.error}`);
        continue;
      }
      if (!ours.ok) {
        problems.push(`${tag} docker built it, pipeline failed: ${ours.error}`);
        continue;
      }
      const lines = diffSnapshots(ref.snap, ours.snap);
      if (lines.length) problems.push(`${tag} ${lines.length} difference(s), docker vs pipeline:\n${lines.join('\n')}`);
    }
  } finally {
    await docker(['rmi', '-f', ...images], { reject: false });
    if (!s.keep) rmSync(dir, { recursive: true, force: true });
  }
  if (problems.length) problems.unshift(`case ${c.name} (${c.why})\n--- Dockerfile\n${dockerfileText(c, s.bases).trimEnd()}\n---`);
  return { problems, seconds };
}
