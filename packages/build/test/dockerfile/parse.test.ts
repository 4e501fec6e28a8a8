import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDockerfileError } from '@pipeline/core';
import { parseDockerfile, expandWord, expandWords, parseDuration } from '../../src/dockerfile/index.js';
import type { CopyInstruction, EnvInstruction, HealthcheckInstruction, Word } from '../../src/dockerfile/index.js';
import { BAD } from './corpus.js';

test(`error corpus: ${BAD.length} malformed Dockerfiles, each with its line:col and exit code 2`, () => {
  assert.ok(BAD.length >= 30);
  for (const [name, text, at, msg] of BAD) {
    try {
      parseDockerfile(text, 'Dockerfile');
      assert.unreachable(`${name}: parsed without error`);
    } catch (e) {
      if (!isDockerfileError(e)) throw e;
      const got = `${e.position?.line}:${e.position?.column}`;
      assert.is(got, at, `${name}: position (message: ${e.message})`);
      assert.match(e.message, msg, `${name}: message`);
      assert.is(e.exitCode, 2, name);
      assert.is(e.position?.file, 'Dockerfile');
    }
  }
});

test('continuations, comments inside them, empty continuation lines, CRLF', () => {
  const df = parseDockerfile('FROM scratch\r\nCOPY a \\\n# a comment\n\n  b \\\n  /dest/\nENV A=1\n', 'D');
  const copy = df.stages[0].instructions[0] as CopyInstruction;
  assert.equal(copy.sources.map((w) => w.text), ['a', 'b']);
  assert.is(copy.dest.text, '/dest/');
  assert.equal(copy.dest.pos, { line: 6, column: 3 });
  assert.is(df.stages[0].instructions[1].pos.line, 7);
});

test('escape directive: backtick continuations, Windows-style paths', () => {
  const df = parseDockerfile('# escape=`\nFROM scratch\nCOPY a `\n  C:\\dir\\\n', 'D');
  assert.is(df.escape, '`');
  const copy = df.stages[0].instructions[0] as CopyInstruction;
  assert.is(copy.dest.text, 'C:\\dir\\');
});

test('syntax directive recorded; directives end at the first other line', () => {
  const df = parseDockerfile('# syntax=docker/dockerfile:1\n# escape=`\nFROM scratch\n', 'D');
  assert.is(df.syntax, 'docker/dockerfile:1');
  assert.is(df.escape, '`');
  const late = parseDockerfile('FROM scratch\n# escape=`\nCOPY a \\\n b\n', 'D');
  assert.is(late.escape, '\\');
});

test('ARG before FROM, multi-stage names, flags', () => {
  const df = parseDockerfile('ARG BASE=alpine\nARG V\nFROM --platform=linux/arm64 ${BASE}:3 AS Build\nRUN --mount=type=cache,target=/c make\nFROM scratch\nCOPY --from=build --chown=1:2 --chmod=0755 --link /out /app\n', 'D');
  assert.equal(df.globalArgs.flatMap((a) => a.args.map((x) => x.name)), ['BASE', 'V']);
  assert.is(df.stages[0].name, 'build');
  assert.is(df.stages[0].from.platform?.text, 'linux/arm64');
  const c = df.stages[1].instructions[0] as CopyInstruction;
  assert.is(c.from?.text, 'build');
  assert.is(c.chown?.text, '1:2');
  assert.is(c.chmod?.text, '0755');
  assert.is(c.link, true);
});

test('exec and shell forms; HEALTHCHECK durations in nanoseconds', () => {
  const df = parseDockerfile('FROM s\nCMD ["node", "a.js"]\nENTRYPOINT exec node\nHEALTHCHECK --interval=1m30s --timeout=500ms --retries=3 CMD ["curl", "-f", "x"]\nHEALTHCHECK NONE\n', 'D');
  const [cmd, ep, hc, none] = df.stages[0].instructions;
  assert.equal((cmd as { command: unknown }).command, { form: 'exec', argv: ['node', 'a.js'] });
  assert.equal((ep as { command: unknown }).command, { form: 'shell', script: 'exec node' });
  const h = hc as HealthcheckInstruction;
  assert.is(h.interval, 90e9);
  assert.is(h.timeout, 500e6);
  assert.is(h.retries, 3);
  assert.is((none as HealthcheckInstruction).command, null);
  assert.is(parseDuration('1h2m3s'), 3723e9);
  assert.is(parseDuration('5'), undefined);
});

test('ENV pairs with quotes and the legacy form', () => {
  const df = parseDockerfile('FROM s\nENV A=1 B="two words" C=\'x y\'\nENV LEGACY some value here\n', 'D');
  const e = df.stages[0].instructions[0] as EnvInstruction;
  assert.equal(e.pairs.map((p) => [p.key, p.value.text]), [['A', '1'], ['B', '"two words"'], ['C', "'x y'"]]);
  const l = df.stages[0].instructions[1] as EnvInstruction;
  assert.equal(l.pairs.map((p) => [p.key, p.value.text]), [['LEGACY', 'some value here']]);
});

const w = (text: string): Word => ({ text, pos: { line: 3, column: 5 } });
const vars: Record<string, string> = { A: 'a', EMPTY: '', SP: 'x y' };
const lookup = (n: string) => vars[n];
const o = { file: 'D', escape: '\\' as const };

test('expansion follows Docker shell-lex rules', () => {
  const cases: [string, string][] = [
    ['$A', 'a'],
    ['${A}b', 'ab'],
    ['${UNSET:-def}', 'def'],
    ['${EMPTY:-def}', 'def'],
    ['${EMPTY-def}', ''],
    ['${A:+alt}', 'alt'],
    ['${UNSET:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ["'$A'", '$A'],
    ['"$A"', 'a'],
    ['\\$A', '$A'],
    ['"\\$A"', '$A'],
    ['"a\\b"', 'a\\b'],
    ['$', '$'],
    ['a$1', 'a$1'],
    ['${UNSET:-${A}x}', 'ax'],
    ['"x y"', 'x y'],
  ];
  for (const [input, want] of cases) assert.is(expandWord(w(input), lookup, o), want, input);
  assert.equal(expandWords(w('$SP "q r" z'), lookup, o), ['x', 'y', 'q r', 'z']);
  assert.equal(expandWords(w('""'), lookup, o), ['']);
});

test('expansion errors carry file:line:col', () => {
  for (const [input, msg] of [['${UNSET:?must be set}', /UNSET: must be set/], ['${A', /unterminated/], ['${A%x}', /unsupported modifier/], ['"abc', /unterminated double quote/]] as const) {
    try {
      expandWord(w(input), lookup, o);
      assert.unreachable(input);
    } catch (e) {
      if (!isDockerfileError(e)) throw e;
      assert.match(e.message, msg);
      assert.is(e.position?.line, 3);
      assert.is(e.position?.file, 'D');
    }
  }
});

test.run();
