import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDockerfileError } from '@pipeline/core';
import { expandWord, expandWords } from '../../src/dockerfile/index.js';
import type { Word } from '../../src/dockerfile/index.js';

// Expected values are what BuildKit's shell lexer (frontend/dockerfile/shell/lex.go) yields.
const vars: Record<string, string> = { PWD: '/home', SHELL: 'bash', EMPTY: '', SP: 'abc  def', LEAD: '  ab c', FOO: 'xxyy', STARS: 'a***yy*', PATH: '/usr/bin:/bin', KOREAN: '한국어' };
const lookup = (n: string) => vars[n];
const w = (text: string): Word => ({ text, pos: { line: 7, column: 5 } });
const bs = { file: 'Dockerfile', escape: '\\' as const };

const WORD_CASES: [string, string][] = [
  ['hello', 'hello'],
  ['$PWD', '/home'],
  ['he${PWD}xx', 'he/homexx'],
  ['he$PWD.', 'he/home.'],
  ['he$pwd.', 'he.'], // names are case-sensitive on Linux
  ['${UNSET}', ''],
  ['$', '$'],
  ['$.', '$.'],
  ['he$1x', 'hex'], // positional parameters are never set
  ['$@aaa', 'aaa'],
  ['$$', ''],
  ['${999:-bbb}aaa', 'bbbaaa'],
  ['${UNSET:-def}', 'def'],
  ['${EMPTY:-def}', 'def'],
  ['${EMPTY-def}', ''],
  ['${UNSET-def}', 'def'],
  ['${PWD:+alt}', 'alt'],
  ['${EMPTY:+alt}', ''],
  ['${EMPTY+alt}', 'alt'],
  ['${UNSET+alt}', ''],
  ['${EMPTY?}', ''],
  ['${PWD:?}', '/home'],
  ['he${XXX:-${PWD:-yyy}}xx', 'he/homexx'],
  ['he${XXX:-${YYY:-yyy}}xx', 'heyyyxx'],
  ['he${PWD:+${PWD}:}xx', 'he/home:xx'],
  ['he${XXX:-\\$PWD:}xx', 'he$PWD:xx'],
  ['he${XXX:-\\${PWD}z}xx', 'he${PWDz}xx'],
  ['${aaa:-bbb}}', 'bbb}'],
  ['${aaa:-bbb {foo}', 'bbb {foo'],
  ['${UNSET:-"a b"}', 'a b'],
  ["${UNSET:-'}'}", '}'],
  ["'$PWD'", '$PWD'],
  ["'\\$PWD'", '\\$PWD'],
  ['"$PWD"', '/home'],
  ['"he\'$PWD\'"', "he'/home'"],
  ['\'"hello"\'', '"hello"'],
  ['\\$PWD', '$PWD'],
  ['\\\\$PWD', '\\/home'],
  ['"he\\$PWD"', 'he$PWD'],
  ['"he\\\\$PWD"', 'he\\/home'],
  ['\\${}', '${}'],
  ['abc\\tdef', 'abctdef'],
  ['"abc\\tdef"', 'abc\\tdef'],
  ["'abc\\tdef'", 'abc\\tdef'],
  ["he'll'o", 'hello'],
  ["he\\'llo", "he'llo"],
  ['hello\\', 'hello'],
  ['hello\\\\', 'hello\\'],
  ["'hello\\'", 'hello\\'],
  ['"\'\'"', "''"],
  ['안\'녕\'$KOREAN', '안녕한국어'],
  ['${FOO#*x}', 'xyy'],
  ['${FOO##*x}', 'yy'],
  ['${FOO#}', 'xxyy'],
  ['${FOO%y*}', 'xxy'],
  ['${FOO%%y*}', 'xx'],
  ['${STARS%%\\**\\*}', 'a'],
  ['${PATH/bin/sbin}', '/usr/sbin:/bin'],
  ['${PATH//bin/sbin}', '/usr/sbin:/sbin'],
  ['${PATH//:/ }', '/usr/bin /bin'],
];

test(`expandWord: ${WORD_CASES.length} cases match BuildKit's lexer`, () => {
  for (const [input, want] of WORD_CASES) assert.is(expandWord(w(input), lookup, bs), want, input);
});

test('expandWords splits at unquoted whitespace, including whitespace from variables; quoted text stays whole', () => {
  const cases: [string, string[]][] = [
    ['hello there', ['hello', 'there']],
    ['hello\\ there', ['hello there']],
    ['hello" there  "', ['hello there  ']],
    ['hello${SP}bye', ['helloabc', 'defbye']],
    ['hello"${SP}"bye', ['helloabc  defbye']],
    ['hello${LEAD}def', ['hello', 'ab', 'cdef']],
    ['hello\\" there', ['hello"', 'there']],
    ['80/tcp ${UNSET:-443/tcp 8080}', ['80/tcp', '443/tcp', '8080']],
    ['""', []], // an empty quoted word disappears, as in BuildKit
    ['a "" b', ['a', 'b']],
    ['  ', []],
  ];
  for (const [input, want] of cases) assert.equal(expandWords(w(input), lookup, bs), want, input);
});

test('the backtick escape: backslashes are literal, ` escapes', () => {
  const bt = { file: 'D', escape: '`' as const };
  assert.is(expandWord(w('C:\\app\\$PWD'), lookup, bt), 'C:\\app\\/home');
  assert.is(expandWord(w('`$PWD'), lookup, bt), '$PWD');
  assert.is(expandWord(w('"a`"b"'), lookup, bt), 'a"b');
  assert.is(expandWord(w('"C:\\dir"'), lookup, bt), 'C:\\dir');
  assert.equal(expandWords(w('a` b c'), lookup, bt), ['a b', 'c']);
});

test('expansion errors are DockerfileErrors at file:line:col of the offending ${ or quote', () => {
  const cases: [string, number, RegExp][] = [
    ['${UNSET:?must be set}', 5, /UNSET: must be set/],
    ['ab${UNSET?}', 7, /UNSET: is not allowed to be unset/],
    ['${EMPTY:?}', 5, /EMPTY: is not allowed to be empty/],
    ['x${PWD', 6, /unterminated \$\{PWD: Expected "\}"/],
    ['${aaa:-bbb', 5, /unterminated \$\{…\}: Expected "\}"/],
    ['${', 5, /unterminated \$\{/],
    ['${}', 5, /bad substitution/],
    ['${:-x}', 5, /bad substitution/],
    ['${.}', 5, /unsupported modifier "\."/],
    ['${PWD:=000}', 5, /unsupported modifier ":="/],
    ['${PWD:YYY}', 5, /unsupported modifier ":Y"/],
    ['${FOO:#x}', 5, /unsupported modifier ":#"/],
    ['${FOO/x}', 5, /Expected "\/"/],
    ['${FOO#\\x}', 5, /invalid escape/],
    ['ab"cd', 7, /unterminated double quote/],
    ["x'y", 6, /unterminated single quote/],
  ];
  for (const [input, column, msg] of cases) {
    try {
      expandWord(w(input), lookup, bs);
      assert.unreachable(input);
    } catch (e) {
      if (!isDockerfileError(e)) throw e;
      assert.match(e.message, msg, input);
      assert.equal(e.position, { file: 'Dockerfile', line: 7, column }, input);
      assert.is(e.exitCode, 2);
    }
  }
});

test('lookups see unset (undefined) apart from empty', () => {
  const seen: string[] = [];
  expandWord(w('$A ${B:-x} "${C}" \'$D\''), (n) => (seen.push(n), undefined), bs);
  assert.equal(seen, ['A', 'B', 'C']);
});

test.run();
