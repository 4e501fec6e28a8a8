// Parity of our .dockerignore walk with the real Docker engine: for each case, the set of paths
// `COPY . /ctx` puts in an image (classic builder, and BuildKit when the engine has it) against
// walkContext's set. Needs the engine on /var/run/docker.sock (test/services/start).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { loadIgnore, walkContext } from '../../src/context/index.js';
import { services } from '../../../../test/lib/services.js';

// The busybox image test/services makes from the host (ensureImage below only covers a bare engine).
const IMAGE = (() => {
  try {
    return services().images.localBusybox;
  } catch {
    return 'pipeline-test/busybox:parity';
  }
})();
const FILES = ['a.log', 'b.txt', 'c.txt', 'abc.txt', 'axc.txt', 'README.md', 'README-secret.md', 'CHANGES.md', 'node_modules/m/index.js', 'src/app.js', 'src/lib/x.log', 'src/temp1', 'build/out.bin', 'dot/path/f', 'sub/a/deep/f', 'sub/b/deep', 'sub/b/other', 'spaced', 'dir/keep.txt', 'dir/other.txt', 'dir/sub/s.txt', 'cache/keep', 'cache/junk', 'cache/deep/keep', 'f(1).txt', 'f1.txt', 'xfoo', 'a+b', 'aab', '#not-comment', 'y/z'];

/** [name, .dockerignore text]. */
const CASES: [string, string][] = [
  ['star-suffix', '*.log\n'],
  ['double-star', '**/*.log\n'],
  ['dir-name', 'node_modules\n'],
  ['exception-in-dir', 'dir\n!dir/keep.txt\n'],
  ['everything-but', '*\n!src\n!Dockerfile\n'],
  ['ordered-exceptions', '*.md\n!README*.md\nREADME-secret.md\n'],
  ['leading-slash', '/build\n'],
  ['leading-dot-slash', './dot/path\n'],
  ['star-middle', 'sub/*/deep\n'],
  ['trailing-spaces', 'spaced   \n'],
  ['comments', '# b.txt\n  #not-comment\n'],
  ['char-class', '[a-b]*.txt\n'],
  ['dir-slash-exception', 'dir/\n!dir/sub/\n'],
  ['double-star-prefix', '**/temp*\n'],
  ['question-mark', 'a?c.txt\n'],
  ['wildcard-exception', 'cache\n!**/keep\n'],
  ['regexp-meta', 'f(1).txt\na+b\n'],
  ['leading-double-star-no-slash', '**foo\n'],
  ['dotdot-cleaned', 'y/../b.txt\n'],
  ['exclude-dockerignore-itself', '.dockerignore\nDockerfile\n'],
];

/**
 * Where the Docker engine's classic builder (docker/cli's archive walk) differs from BuildKit's
 * fsutil walk, which we follow, with why. Anything not listed must match exactly.
 */
const KNOWN_CLASSIC: Record<string, { reason: string }> = {
  'wildcard-exception': { reason: 'classic skips an excluded dir unless an exception is a literal prefix of it; BuildKit (fsutil) walks in for wildcard exceptions' },
};

const engineUp = async () => (await execa('docker', ['info'], { reject: false })).exitCode === 0;

async function ensureImage(): Promise<void> {
  if ((await execa('docker', ['image', 'inspect', IMAGE], { reject: false })).exitCode === 0) return;
  const root = await mkdtemp(join(tmpdir(), 'bb-'));
  await mkdir(join(root, 'bin'));
  await execa('cp', ['/bin/busybox', join(root, 'bin/busybox')]);
  for (const a of ['sh', 'find', 'sort']) await execa('ln', ['-s', 'busybox', join(root, 'bin', a)]);
  const tar = execa('tar', ['-C', root, '-cf', '-', '.'], { buffer: false });
  await execa('docker', ['import', '-', IMAGE], { stdin: tar.stdout! });
}

async function makeContext(ignore: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'parity-'));
  for (const f of FILES) {
    await mkdir(dirname(join(d, f)), { recursive: true });
    await writeFile(join(d, f), f);
  }
  await writeFile(join(d, '.dockerignore'), ignore);
  await writeFile(join(d, 'Dockerfile'), `FROM ${IMAGE}\nCOPY . /ctx\n`);
  return d;
}

async function ours(dir: string): Promise<string[]> {
  const out = new Set<string>();
  for await (const e of walkContext(dir, await loadIgnore(dir, join(dir, 'Dockerfile')))) {
    const parts = e.path.split('/');
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join('/')); // parents appear in the image too
  }
  // The classic builder and BuildKit both drop an excluded Dockerfile/.dockerignore after reading them.
  return [...out].sort();
}

async function docker(dir: string, tag: string, buildkit: boolean): Promise<string[] | string> {
  const b = await execa('docker', ['build', '-q', '-t', tag, dir], { env: { DOCKER_BUILDKIT: buildkit ? '1' : '0' }, reject: false });
  if (b.exitCode !== 0) return `build failed: ${b.stderr.split('\n').slice(-3).join(' ')}`;
  const r = await execa('docker', ['run', '--rm', '--network', 'none', tag, 'find', '/ctx', '-mindepth', '1']);
  return r.stdout.split('\n').filter(Boolean).map((p) => p.slice('/ctx/'.length)).sort();
}

const diff = (a: string[], b: string[]) => ({ onlyOurs: a.filter((x) => !b.includes(x)), onlyDocker: b.filter((x) => !a.includes(x)) });

test('dockerignore parity with the Docker engine', async () => {
  if (!(await engineUp())) {
    if (process.env.CI === 'true') assert.unreachable('Docker engine not reachable on /var/run/docker.sock (CI=true: required)');
    console.log('skip: no Docker engine on /var/run/docker.sock; run test/services/start');
    return;
  }
  await ensureImage();
  const report: string[] = [];
  let buildkitWorks = true;
  for (const [i, [name, text]] of CASES.entries()) {
    const dir = await makeContext(text);
    const mine = await ours(dir);
    const classic = await docker(dir, `pipeline-parity:${i}`, false);
    assert.type(classic, 'object', `${name}: ${classic}`);
    const dc = diff(mine, classic as string[]);
    const same = !dc.onlyOurs.length && !dc.onlyDocker.length;
    if (KNOWN_CLASSIC[name]) assert.not.ok(same, `${name} was expected to differ in the classic builder (${KNOWN_CLASSIC[name].reason}); update KNOWN_CLASSIC`);
    else assert.ok(same, `${name}: ${JSON.stringify(dc)}`);
    if (!same) report.push(`classic ${name}: ${JSON.stringify(dc)}`);
    if (buildkitWorks) {
      const bk = await docker(dir, `pipeline-parity-bk:${i}`, true);
      if (typeof bk === 'string') {
        buildkitWorks = false;
        report.push(`buildkit unavailable: ${bk}`);
      } else {
        const db = diff(mine, bk);
        if (db.onlyOurs.length || db.onlyDocker.length) report.push(`buildkit ${name}: ${JSON.stringify(db)}`);
        const dcb = diff(classic as string[], bk);
        if (dcb.onlyOurs.length || dcb.onlyDocker.length) report.push(`classic vs buildkit ${name}: classic-only ${JSON.stringify(dcb.onlyOurs)} buildkit-only ${JSON.stringify(dcb.onlyDocker)}`);
      }
    }
  }
  console.log(report.join('\n'));
  await execa('sh', ['-c', 'docker images -q "pipeline-parity*" | xargs -r docker rmi -f'], { reject: false });
});

test.run();
