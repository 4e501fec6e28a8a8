// The user's mistakes through the real binary: exit code 2, one message naming file:line:col (or
// the flag) and what was expected, no stack trace, nothing written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../test/lib/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pipeline-cli-errors-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const df = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

const cases: [string, () => string[], RegExp][] = [
  ['unknown instruction', () => ['build', dir, '-f', df('a.Dockerfile', 'FROM scratch\nCOPPY a b\n'), '-o', `oci:${join(dir, 'out-a')}`], /a\.Dockerfile:2:1: unknown instruction "COPPY"\n  hint: did you mean COPY\?/],
  ['RUN under the native executor', () => ['build', dir, '-f', df('b.Dockerfile', 'FROM scratch\nRUN make\n'), '-o', `oci:${join(dir, 'out-b')}`], /b\.Dockerfile:2:1: RUN needs an executor/],
  ['COPY source escaping the context', () => ['build', dir, '-f', df('c.Dockerfile', 'FROM scratch\nCOPY ../etc/passwd /x\n'), '-o', `oci:${join(dir, 'out-c')}`], /c\.Dockerfile:2:.*(outside|escapes|context)/i],
  ['missing COPY source', () => ['build', dir, '-f', df('d.Dockerfile', 'FROM scratch\nCOPY nothing-here /x\n'), '-o', `oci:${join(dir, 'out-d')}`], /d\.Dockerfile:2:.*nothing-here/],
  ['bad --chmod', () => ['build', dir, '-f', df('e.Dockerfile', 'FROM scratch\nCOPY --chmod=rwx e.Dockerfile /x\n'), '-o', `oci:${join(dir, 'out-e')}`], /e\.Dockerfile:2:14: Expected --chmod as octal/],
  ['unset required variable', () => ['build', dir, '-f', df('f.Dockerfile', 'FROM scratch\nWORKDIR ${APP_DIR:?set APP_DIR}\n'), '-o', `oci:${join(dir, 'out-f')}`], /f\.Dockerfile:2:\d+: APP_DIR: set APP_DIR/],
  ['missing context', () => ['build', join(dir, 'nowhere')], /nowhere: the build context does not exist/],
  ['missing Dockerfile', () => ['build', dir, '-f', join(dir, 'no.Dockerfile')], /no\.Dockerfile: Dockerfile not found/],
  ['bad --output', () => ['build', dir, '-o', 'tarball:x'], /Expected --output oci:DIR/],
  ['bad --format', () => ['build', dir, '--format', 'v1'], /Expected --format oci or docker/],
  ['unknown flag', () => ['build', '--frobnicate'], /Unknown option '--frobnicate'/],
  ['unknown command', () => ['biuld'], /unknown command "biuld"/],
  ['bad --build-arg', () => ['build', dir, '--build-arg', '1X=2'], /Expected --build-arg KEY=VALUE/],
  ['--push without --image', () => ['build', dir, '-f', df('g.Dockerfile', 'FROM scratch\n'), '--push'], /a push needs somewhere to go: --image REGISTRY\/REPOSITORY, or -t REGISTRY\/REPOSITORY:TAG/],
  ['ADD of an archive .dockerignore excludes', () => {
    execFileSync('tar', ['-czf', join(dir, 'ignored.tgz'), '-C', dir, 'a.Dockerfile']);
    writeFileSync(join(dir, 'i.Dockerfile.dockerignore'), 'ignored.tgz\n');
    return ['build', dir, '-f', df('i.Dockerfile', 'FROM scratch\nADD ignored.tgz /opt/\n'), '-o', `oci:${join(dir, 'out-i')}`];
  }, /i\.Dockerfile:2:\d+: .*"ignored\.tgz".*got nothing/],
  ['bad SOURCE_DATE_EPOCH', () => ['build', dir, '-f', df('h.Dockerfile', 'FROM scratch\n'), '-o', `oci:${join(dir, 'out-h')}`, '--build-arg', 'X=1'], /SOURCE_DATE_EPOCH/],
];

for (const [name, args, msg] of cases) {
  test(`exit 2: ${name}`, async () => {
    const env = name === 'bad SOURCE_DATE_EPOCH' ? { SOURCE_DATE_EPOCH: 'yesterday' } : { SOURCE_DATE_EPOCH: '0' };
    const r = await runCli(args(), env);
    assert.is(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.not.match(r.stderr, /\n\s+at .+\(.+:\d+:\d+\)/, 'no stack trace');
    for (const out of ['a', 'b', 'c', 'd', 'e', 'f', 'h', 'i']) assert.not.ok(existsSync(join(dir, `out-${out}`, 'index.json')), 'nothing written');
  });
}

test('--json errors are machine-readable too', async () => {
  const r = await runCli(['build', dir, '-f', df('j.Dockerfile', 'FROM scratch\nEXPOSE 80/http\n'), '--json'], { SOURCE_DATE_EPOCH: '0' });
  assert.is(r.code, 2);
  const j = JSON.parse(r.stdout) as { error: { kind: string; position: { line: number; column: number } } };
  assert.is(j.error.kind, 'dockerfile');
  assert.equal([j.error.position.line, j.error.position.column], [2, 11]); // the bad protocol
});

test.run();
