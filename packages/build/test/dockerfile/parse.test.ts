import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDockerfileError } from '@pipeline/core';
import { parseDuration } from '@pipeline/core';
import { parseDockerfile, stageFor } from '../../src/dockerfile/index.js';
import type { CmdInstruction, CopyInstruction, Dockerfile, EnvInstruction, HealthcheckInstruction, Instruction, LabelInstruction, RunInstruction } from '../../src/dockerfile/index.js';

const parse = (text: string) => parseDockerfile(text, 'Dockerfile');
/** The instructions of the last stage. */
const body = (text: string): Instruction[] => parse(text).stages.at(-1)!.instructions;
const only = <T extends Instruction>(text: string) => body(text)[0] as T;
function fails(text: string): { at: string; message: string } {
  try {
    parse(text);
  } catch (e) {
    if (isDockerfileError(e)) return { at: `${e.position?.line}:${e.position?.column}`, message: e.message };
    throw e;
  }
  throw new Error(`parsed: ${text}`);
}

test('continuations: joined, comments and blank lines inside dropped, positions kept', () => {
  const df = parse('FROM scratch\r\nCOPY a \\\n# a comment \\\n\n  b \\  \n  /dest/\nENV A=1\n');
  const copy = df.stages[0].instructions[0] as CopyInstruction;
  assert.equal(copy.sources.map((w) => w.text), ['a', 'b']);
  assert.equal(copy.sources[1].pos, { line: 5, column: 3 });
  assert.equal(copy.dest.pos, { line: 6, column: 3 });
  assert.is(copy.raw, 'COPY a   b   /dest/');
  assert.equal(df.stages[0].instructions[1].pos, { line: 7, column: 1 });
});

test('continuations: an escaped escape ends the line; an escape alone continues; EOF inside one is fine', () => {
  assert.is((only<RunInstruction>('FROM s\nRUN echo a\\\\\nCMD x\n').command as { script: string }).script, 'echo a\\\\');
  assert.is((only<RunInstruction>('FROM s\nRUN echo a \\\n\\\n  b\n').command as { script: string }).script, 'echo a   b');
  assert.is((only<RunInstruction>('FROM s\nRUN echo a \\').command as { script: string }).script, 'echo a');
  assert.equal(only<RunInstruction>('FROM s\n   RUN   true\n').pos, { line: 2, column: 4 });
});

test('directives: escape and syntax at the top, any case, BOM; ignored after a comment, a blank line or an unknown directive', () => {
  const df = parse('\ufeff# syntax=docker/dockerfile:1\n#ESCAPE = `\n# check=skip=all\nFROM scratch\nCOPY a `\n  C:\\dir\\\n');
  assert.is(df.syntax, 'docker/dockerfile:1');
  assert.is(df.check, 'skip=all');
  assert.is(df.escape, '`');
  assert.is((df.stages[0].instructions[0] as CopyInstruction).dest.text, 'C:\\dir\\');
  for (const before of ['# hello\n', '\n', '# foo=bar\n']) assert.is(parse(`${before}# escape=\`\nFROM scratch\n`).escape, '\\', JSON.stringify(before));
  assert.is(parse('FROM scratch\n# escape=`\nCOPY a \\\n b\n').escape, '\\');
});

test('keywords are case-insensitive; ARG before FROM is global; FROM --platform and AS name (lowercased)', () => {
  const df = parse('ARG BASE=alpine\nArg V1 V2=x\nfrom --platform=$BUILDPLATFORM ${BASE}:3 as Build\nrun make\nFROM scratch\n');
  assert.equal(df.globalArgs.flatMap((a) => a.args.map((x) => [x.name, x.value?.text])), [['BASE', 'alpine'], ['V1', undefined], ['V2', 'x']]);
  assert.is(df.stages[0].name, 'build');
  assert.is(df.stages[0].from.image.text, '${BASE}:3');
  assert.equal(df.stages[0].from.image.pos, { line: 3, column: 32 });
  assert.is(df.stages[0].from.platform?.text, '$BUILDPLATFORM');
  assert.is(df.stages[0].instructions[0].kind, 'RUN');
  assert.is(df.stages[1].name, undefined);
  assert.is(df.stages[1].index, 1);
});

test('COPY/ADD flags: --from --chown --chmod --link --exclude --parents; ADD --checksum --keep-git-dir --unpack', () => {
  const c = only<CopyInstruction>('FROM a AS b\nFROM c\nCOPY --from=b --chown="1:2" --chmod=0755 --link --exclude=*.md --exclude=.git --parents=false /out /app\n');
  assert.is(c.from?.text, 'b');
  assert.equal(c.from?.pos, { line: 3, column: 13 });
  assert.is(c.chown?.text, '"1:2"');
  assert.is(c.chmod?.text, '0755');
  assert.is(c.link, true);
  assert.is(c.parents, false);
  assert.equal(c.exclude?.map((w) => w.text), ['*.md', '.git']);
  const a = only<CopyInstruction>('FROM a\nADD --checksum=sha256:00ff --keep-git-dir=true --unpack=FALSE https://x/y.git /src\n');
  assert.is(a.kind, 'ADD');
  assert.is(a.checksum?.text, 'sha256:00ff');
  assert.is(a.keepGitDir, true);
  assert.is(a.unpack, false);
  assert.is(only<CopyInstruction>('FROM a\nCOPY --chown= x y\n').chown, undefined, 'an empty string flag is not given, as in moby');
  assert.is(only<CopyInstruction>('FROM a\nCOPY -- --weird /d\n').sources[0].text, '--weird', '-- ends the flags');
});

test('COPY JSON form keeps spaces; each element positioned; variables still expand later', () => {
  const c = only<CopyInstruction>('FROM a\nCOPY ["my file", "$DIR/"]\n');
  assert.equal([...c.sources, c.dest].map((w) => w.text), ['"my file"', '"$DIR/"']);
  assert.equal(c.dest.pos, { line: 2, column: 18 });
});

test('RUN flags kept raw; exec and shell forms for RUN, CMD, ENTRYPOINT; shell `[ test ]` is not JSON', () => {
  const r = only<RunInstruction>('FROM a\nRUN --mount=type=cache,target=/root/.cache --network=none pip install x\n');
  assert.equal(r.flags.map((f) => [f.name, f.value?.text]), [['mount', 'type=cache,target=/root/.cache'], ['network', 'none']]);
  assert.equal(r.command, { form: 'shell', script: 'pip install x' });
  const [run, cmd, ep, empty] = body('FROM a\nRUN ["sh", "-c", "echo \\"hi\\""]\nCMD [ "node" , "a.js" ]  \nENTRYPOINT exec node\nCMD []\n') as CmdInstruction[];
  assert.equal(run.command, { form: 'exec', argv: ['sh', '-c', 'echo "hi"'] });
  assert.equal(cmd.command, { form: 'exec', argv: ['node', 'a.js'] });
  assert.equal(ep.command, { form: 'shell', script: 'exec node' });
  assert.equal(empty.command, { form: 'exec', argv: [] });
  assert.equal(only<RunInstruction>('FROM a\nRUN [ "$(uname -m)" = "x86_64" ] && echo yes\n').command, { form: 'shell', script: '[ "$(uname -m)" = "x86_64" ] && echo yes' });
  assert.equal(only<RunInstruction>('FROM a\nRUN [ -f /x ] || touch /x\n').command, { form: 'shell', script: '[ -f /x ] || touch /x' });
});

test('ENV pairs with quotes and escapes, and the legacy `ENV k v v`', () => {
  const e = only<EnvInstruction>('FROM s\nENV A=1 B="two words" C=\'x y\' D=a\\ b E=\n');
  assert.equal(e.pairs.map((p) => [p.key, p.value.text]), [['A', '1'], ['B', '"two words"'], ['C', "'x y'"], ['D', 'a\\ b'], ['E', '']]);
  assert.equal(e.pairs[1].value.pos, { line: 2, column: 11 });
  const l = only<EnvInstruction>('FROM s\nENV LEGACY  some "quoted" value  \n');
  assert.equal(l.pairs.map((p) => [p.key, p.value.text]), [['LEGACY', 'some "quoted" value']]);
  assert.equal(l.pairs[0].value.pos, { line: 2, column: 13 });
});

test('LABEL pairs keep raw keys and values (legacy form too)', () => {
  const l = only<LabelInstruction>('FROM s\nLABEL "com.example.vendor"="ACME Inc" version=1.0 desc="multi \\\n  line"\n');
  assert.equal(l.pairs.map((p) => [p.key.text, p.value.text]), [['"com.example.vendor"', '"ACME Inc"'], ['version', '1.0'], ['desc', '"multi   line"']]);
  assert.equal(only<LabelInstruction>('FROM s\nLABEL maintainer Jane Doe\n').pairs.map((p) => [p.key.text, p.value.text]), [['maintainer', 'Jane Doe']]);
});

test('HEALTHCHECK: durations Go-style in nanoseconds, retries, NONE, empty values keep defaults', () => {
  const [hc, none, dflt] = body('FROM s\nHEALTHCHECK --interval=1m30s --timeout=500ms --start-period=1.5s --start-interval=0 --retries=3 CMD curl -f http://x/\nhealthcheck NONE\nHEALTHCHECK --timeout= cmd ["true"]\n') as HealthcheckInstruction[];
  assert.equal({ ...hc, raw: undefined, pos: undefined }, { kind: 'HEALTHCHECK', raw: undefined, pos: undefined, command: { form: 'shell', script: 'curl -f http://x/' }, interval: 90e9, timeout: 500e6, startPeriod: 1.5e9, startInterval: 0, retries: 3 });
  assert.is(none.command, null);
  assert.equal(dflt.command, { form: 'exec', argv: ['true'] });
  assert.is(dflt.timeout, undefined);
});

test('parseDuration follows Go time.ParseDuration', () => {
  const cases: [string, number | undefined][] = [['1h2m3s', 3723e9], ['1m30s', 90e9], ['500ms', 5e8], ['10us', 1e4], ['10µs', 1e4], ['1.5h', 5400e9], ['.5s', 5e8], ['1.s', 1e9], ['-1s', -1e9], ['0', 0], ['+0', 0], ['5', undefined], ['', undefined], ['1d', undefined], ['1s2', undefined], ['s', undefined], ['1.2.3s', undefined]];
  for (const [s, want] of cases) assert.is(parseDuration(s), want, s);
});

test('SHELL, WORKDIR (spaces kept), USER, VOLUME (JSON and plain), EXPOSE, STOPSIGNAL, MAINTAINER, ONBUILD', () => {
  const ins = body('FROM s\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nWORKDIR /my app\nUSER app:app\nVOLUME ["/a", "/b c"]\nVOLUME /d /e\nEXPOSE 80 443/tcp 53/UDP 8000-8010/udp $PORT\nSTOPSIGNAL 9\nMAINTAINER Jane <j@x>\nONBUILD  RUN echo "built on $(date)"\n');
  const by = <K extends Instruction['kind']>(k: K) => ins.filter((i): i is Extract<Instruction, { kind: K }> => i.kind === k);
  assert.equal(by('SHELL')[0].argv, ['/bin/bash', '-o', 'pipefail', '-c']);
  assert.is(by('WORKDIR')[0].path.text, '/my app');
  assert.is(by('USER')[0].user.text, 'app:app');
  assert.equal(by('VOLUME').map((v) => v.paths.map((p) => p.text)), [['"/a"', '"/b c"'], ['/d', '/e']]);
  assert.equal(by('EXPOSE')[0].ports.map((p) => p.text), ['80', '443/tcp', '53/UDP', '8000-8010/udp', '$PORT']);
  assert.is(by('STOPSIGNAL')[0].signal.text, '9');
  assert.is(by('MAINTAINER')[0].name, 'Jane <j@x>');
  assert.is(by('ONBUILD')[0].trigger, 'RUN echo "built on $(date)"');
});

test('stageFor resolves --from values by name (any case) or index; images are undefined', () => {
  const df: Dockerfile = parse('FROM golang AS build\nFROM alpine AS Runtime\nFROM scratch\n');
  assert.is(stageFor(df, 'build')?.index, 0);
  assert.is(stageFor(df, 'RUNTIME')?.index, 1);
  assert.is(stageFor(df, '2')?.index, 2);
  assert.is(stageFor(df, '3'), undefined);
  assert.is(stageFor(df, 'alpine:3'), undefined);
});

test('COPY --from an earlier stage, an image or a variable is accepted', () => {
  const df = parse('FROM a AS one\nFROM b\nCOPY --from=one /x /x\nCOPY --from=0 /x /y\nCOPY --from=nginx:1.25 /etc/nginx /etc/nginx\nCOPY --from=$STAGE /x /z\n');
  assert.equal(df.stages[1].instructions.map((i) => (i as CopyInstruction).from?.text), ['one', '0', 'nginx:1.25', '$STAGE']);
});

test('errors point at the offending token, also across continuation lines and inside ONBUILD', () => {
  assert.equal(fails('FROM a\nRUN --mount=x \\\n    --bogus make\n'), { at: '3:5', message: 'unknown flag --bogus for RUN' });
  assert.equal(fails('FROM a\nONBUILD  EXPOSE 80/xyz\n').at, '2:20');
  assert.match(fails('FROM a\nCMD ["a", \'b\']\n').message, /Expected a double-quoted string, got "'b'\]" \(JSON needs double quotes\)/);
});

test('ARG accepts several names per line, as BuildKit does', () => {
  assert.equal(only<{ kind: 'ARG'; args: { name: string }[] } & Instruction>('FROM a\nARG a b\n').kind, 'ARG');
  assert.equal((body('FROM a\nARG a b=2\n')[0] as { args: { name: string }[] }).args.map((x) => x.name), ['a', 'b']);
});

// Parse speed is measured in bench/ (never asserted with a timing here): a 282-line file ≈ 1 ms.
test('a 200-line multi-stage Dockerfile parses into every stage and instruction', () => {
  const lines = ['# syntax=docker/dockerfile:1', 'ARG BASE=alpine:3.19'];
  for (let s = 0; s < 4; s++) {
    lines.push(`FROM \${BASE} AS stage${s}`, 'WORKDIR /app');
    for (let i = 0; i < 11; i++) {
      lines.push(`ENV VAR_${i}="value ${i}" OTHER_${i}=x`, `COPY --chown=1000:1000 src/${i} /app/${i}/`, `RUN apk add --no-cache pkg${i} \\`, `    && echo "step ${i}" \\`);
      lines.push(`    # a comment inside a continuation`, `    && true`);
    }
    lines.push('HEALTHCHECK --interval=30s CMD ["true"]', `CMD ["node", "s${s}.js"]`);
  }
  const df = parseDockerfile(lines.join('\n'), 'D');
  assert.ok(lines.length >= 200, String(lines.length));
  assert.is(df.stages.length, 4);
  assert.is(df.stages[3].instructions.length, 1 + 11 * 3 + 2);
});

test.run();
