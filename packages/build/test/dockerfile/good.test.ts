import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expandWord, parseDockerfile, stageFor } from '../../src/dockerfile/index.js';
import type { CmdInstruction, CopyInstruction, Dockerfile, HealthcheckInstruction, Instruction, RunInstruction } from '../../src/dockerfile/index.js';

const dir = fileURLToPath(new URL('./fixtures/good/', import.meta.url));
const load = (name: string): Dockerfile => parseDockerfile(readFileSync(dir + name, 'utf8'), name);
const kinds = (ins: Instruction[]) => ins.map((i) => i.kind).join(' ');

test('multi-stage node app: global ARGs, named stages, cache mounts, --from with --chown/--chmod, HEALTHCHECK exec', () => {
  const df = load('node-multistage.Dockerfile');
  assert.is(df.syntax, 'docker/dockerfile:1.7');
  assert.equal(df.globalArgs.map((a) => a.args[0].name), ['NODE_VERSION', 'ALPINE']);
  assert.equal(df.stages.map((s) => s.name), ['deps', 'build', undefined]);
  assert.is(stageFor(df, 'build')?.from.image.text, 'deps');
  const build = df.stages[1].instructions[1] as RunInstruction;
  assert.equal(build.command, { form: 'shell', script: 'npm run build  && npm prune --production' });
  const last = df.stages[2].instructions;
  assert.is(kinds(last), 'ENV LABEL WORKDIR COPY COPY USER EXPOSE HEALTHCHECK STOPSIGNAL ENTRYPOINT CMD');
  const copy = last[4] as CopyInstruction;
  assert.equal([copy.from?.text, copy.chown?.text, copy.chmod?.text], ['build', 'node:node', '0555']);
  const hc = last[7] as HealthcheckInstruction;
  assert.equal([hc.interval, hc.timeout, hc.startPeriod, hc.retries], [30e9, 3e9, 90e9, 3]);
  assert.equal(hc.pos, { line: 28, column: 1 });
  const image = expandWord(df.stages[2].from.image, (n) => ({ NODE_VERSION: '20', ALPINE: '3.19' })[n], { file: df.file, escape: df.escape });
  assert.is(image, 'node:20-alpine3.19');
});

test('nginx-style: legacy ENV, a long RUN with comment lines and `[ test ]` inside, ports', () => {
  const df = load('nginx.Dockerfile');
  const ins = df.stages[0].instructions;
  assert.is(kinds(ins), 'LABEL ENV ENV ENV RUN COPY COPY ENTRYPOINT EXPOSE STOPSIGNAL CMD');
  const run = ins[4] as RunInstruction;
  assert.is(run.command.form, 'shell');
  assert.ok(!(run.command as { script: string }).script.includes('create nginx user'), 'comment lines inside the continuation are dropped');
  assert.match((run.command as { script: string }).script, /if \[ "\$\(uname -m\)" = "x86_64" \]; then/);
  assert.equal((ins[10] as CmdInstruction).command, { form: 'exec', argv: ['nginx', '-g', 'daemon off;'] });
  assert.equal(ins[10].pos, { line: 38, column: 1 });
});

test('escape=` windows-style: backslashes are literal, backtick continues, JSON keeps \\\\ escapes', () => {
  const df = load('windows.Dockerfile');
  assert.is(df.escape, '`');
  const ins = df.stages[0].instructions;
  assert.is(kinds(ins), 'SHELL ENV WORKDIR RUN COPY VOLUME CMD');
  const opts = { file: df.file, escape: df.escape };
  assert.is(expandWord((ins[2] as { path: { text: string; pos: { line: number; column: number } } }).path, () => undefined, opts), 'C:\\app');
  assert.match((ins[3] as RunInstruction).command.form === 'shell' ? (ins[3] as { command: { script: string } }).command.script : '', /C:\\data ;     Write-Host 'created' ;     Get-ChildItem C:\\$/);
  const copy = ins[4] as CopyInstruction;
  assert.equal([expandWord(copy.sources[0], () => undefined, opts), expandWord(copy.dest, () => undefined, opts)], ['bin\\', 'C:\\app\\bin\\']);
  assert.equal((ins[6] as CmdInstruction).command, { form: 'exec', argv: ['C:\\app\\bin\\server.exe', '--port', '8080'] });
});

test('go + distroless: --from=0, ADD --checksum, ONBUILD triggers, ARG with two names', () => {
  const df = load('go-distroless.Dockerfile');
  assert.equal((df.stages[0].instructions[0] as { args: { name: string }[] }).args.map((a) => a.name), ['TARGETOS', 'TARGETARCH']);
  const ins = df.stages[1].instructions;
  assert.is(kinds(ins), 'COPY ADD ONBUILD ONBUILD USER ENTRYPOINT');
  assert.is(stageFor(df, (ins[0] as CopyInstruction).from!.text)?.index, 0);
  assert.match((ins[1] as CopyInstruction).checksum!.text, /^sha256:24454f83/);
  assert.equal(ins.filter((i) => i.kind === 'ONBUILD').map((i) => (i as { trigger: string }).trigger), ['COPY . /src', 'RUN ["make", "-C", "/src"]']);
});

test('lowercase legacy style: maintainer, `env k v`, `as Base`, JSON COPY with a space, healthcheck none', () => {
  const df = load('python-legacy.Dockerfile');
  assert.is(df.stages[0].name, 'base');
  const ins = df.stages[0].instructions;
  assert.is(kinds(ins), 'MAINTAINER ENV ENV ARG ADD RUN COPY VOLUME HEALTHCHECK CMD');
  const copy = ins[6] as CopyInstruction;
  assert.is(expandWord(copy.sources[0], () => undefined, { file: df.file, escape: df.escape }), 'src dir/');
  assert.is((ins[8] as HealthcheckInstruction).command, null);
});

test.run();
