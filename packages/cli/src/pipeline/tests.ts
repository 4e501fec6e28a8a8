import { createHash } from 'node:crypto';
import type { Logger } from '@pipeline/core';
import { checkStructure, holdTestImage, runCommandTest, runSmokeTest, type Image, type TestResult } from '@pipeline/build';
import type { ImageTests, PipelineConfig } from '../config/index.js';
import { readTestsRecord, type Destination } from './destination.js';
import type { ImageRecord, TestsRecord } from './record.js';

/** Whether an image's tests run in this run, and why. */
export interface TestsPlan {
  run: boolean;
  reason: string;
  fingerprint?: string;
  /** The destination records that these very tests passed against this very image. */
  passedRemotely: boolean;
}

/** Runs an image's declared tests: structure (no daemon), then commands and smoke boot (host engine). */
export async function testImage(image: Image, tests: ImageTests | undefined, log: Logger): Promise<TestResult[]> {
  if (!tests) return [];
  const results = await checkStructure(image, tests.structure);
  const held = tests.commands.length + (tests.smoke ? 1 : 0) > 1 ? await holdTestImage(image) : undefined;
  try {
    for (const c of tests.commands) results.push(await runCommandTest(image, c));
    if (tests.smoke) results.push(await runSmokeTest(image, tests.smoke));
  } finally {
    await held?.release();
  }
  for (const r of results) log.info(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.detail ? ` – ${r.detail}` : ''}`);
  return results;
}

/** The tests' definition, without where in pipeline.yml it was written: a changed test is a changed input of the run. */
export function testsFingerprint(tests: ImageTests | undefined): string | undefined {
  if (!tests) return undefined;
  const strip = (x: object) => Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'position'));
  const def = { structure: tests.structure.map(strip), commands: tests.commands.map(strip), smoke: tests.smoke ? strip(tests.smoke) : null };
  return createHash('sha256').update(JSON.stringify(def)).digest('hex');
}

export const testsRecordOf = (fingerprint: string, digest: string, results: TestResult[]): TestsRecord => {
  const failed = results.filter((r) => !r.ok).map((r) => r.name);
  return { fingerprint, digest, ok: !failed.length, ...(failed.length ? { failed } : {}) };
};

/** Whether the image's tests run: always after a build; else unless they passed against this very image with these very tests. */
export async function testsPlan(cfg: PipelineConfig, name: string, prev: ImageRecord | undefined, have: { digest: string } | undefined, action: 'build' | 'reuse' | 'skip', o: { test?: boolean }, dest: Destination | undefined): Promise<TestsPlan> {
  const fingerprint = testsFingerprint(cfg.test[name]);
  if (!fingerprint) return { run: false, reason: 'no tests', passedRemotely: false };
  if (action === 'skip') return { run: false, reason: 'not chosen', fingerprint, passedRemotely: false };
  const remoteFp = have && dest ? await readTestsRecord(await dest.client(), dest.repo, have.digest).catch(() => undefined) : undefined;
  const passedRemotely = remoteFp === fingerprint;
  if (o.test === false) return { run: false, reason: 'not run (--no-test)', fingerprint, passedRemotely };
  if (action === 'build' || !have) return { run: true, reason: 'the image is new', fingerprint, passedRemotely };
  const t = prev?.tests?.digest === have.digest ? prev.tests : undefined;
  // A failure seen here outweighs a pass recorded elsewhere: a failed test is never up to date.
  if (t && !t.ok && t.fingerprint === fingerprint) return { run: true, reason: `failed before (${t.failed?.join('; ') ?? 'a test'})`, fingerprint, passedRemotely };
  if ((t?.ok && t.fingerprint === fingerprint) || passedRemotely) return { run: false, reason: 'passed before', fingerprint, passedRemotely };
  if (t || remoteFp) return { run: true, reason: 'tests changed', fingerprint, passedRemotely };
  return { run: true, reason: 'not tested yet', fingerprint, passedRemotely };
}
