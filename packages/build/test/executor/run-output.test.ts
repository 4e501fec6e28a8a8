// A RUN step's output and failures: lines logged as they come with only the last ten kept, and the
// engine or the machine failing a step (an API error, no space left) said at the line with exit 1,
// never as an internal error (seen: "internal error: Error: (HTTP code 500) … no space left on device").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PipelineError, silentLogger } from '@pipeline/core';
import { StepOutput, runFailed, stepEnvironmentError } from '../../src/executor/run-output.js';
import type { RunInstruction } from '../../src/dockerfile/types.js';

const ins = { kind: 'RUN', raw: 'RUN make all', pos: { line: 7, column: 1 } } as unknown as RunInstruction;
const where = { file: 'Dockerfile', line: 7, column: 1 };

test('output: lines split across chunks, CRLF, the last ten kept for the error', () => {
  const logged: string[] = [];
  const out = new StepOutput({ ...silentLogger, info: (m: string) => void logged.push(m) });
  for (let i = 1; i <= 12; i++) out.write(`line ${i}\r\n`);
  out.write('partial ');
  out.write('end');
  out.end();
  assert.is(logged.length, 13);
  assert.is(logged[12], '  │ partial end');
  const e = runFailed(ins, where, 2, out);
  assert.is(e.exitCode, 1);
  assert.equal(e.message.split('\n').slice(1).map((l) => l.trim()), ['line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11', 'line 12', 'partial end']);
  assert.match(e.format(), /^Dockerfile:7:1: RUN failed with exit code 2: RUN make all/);
});

test('the engine or the machine failing a step is exit 1 at the line; a bug stays a bug', () => {
  const api = Object.assign(new Error('(HTTP code 500) server error - no space left on device'), { statusCode: 500 });
  const e1 = stepEnvironmentError(api, ins, where) as PipelineError;
  assert.ok(e1 instanceof PipelineError);
  assert.is(e1.exitCode, 1);
  assert.is(e1.message, 'RUN: the Docker Engine answered 500: no space left on device (RUN make all)');
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const e2 = stepEnvironmentError(full, ins, where) as PipelineError;
  assert.is(e2.exitCode, 1);
  assert.match(e2.format(), /^Dockerfile:7:1: RUN: ENOSPC: no space left on device[^]*hint: free space/);
  const bug = new TypeError('x is undefined');
  assert.is(stepEnvironmentError(bug, ins, where), bug);
  const already = new PipelineError('dockerfile', 'RUN failed', { exitCode: 1 });
  assert.is(stepEnvironmentError(already, ins, where), already);
});

test.run();
