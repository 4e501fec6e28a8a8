// `ARG BASE=<stage>` + `FROM ${BASE}`: the FROM word names an earlier stage once the global ARGs are
// expanded (plugin/Dockerfile relies on it), and an external image when BASE is overridden. Compared
// with docker build on the same files: the same paths end up in the image, either way.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needs, services } from '../../../../test/lib/services.js';
import { runCli } from '../../../../test/lib/cli.js';
import { tempDir } from '../../../../test/lib/tmp.js';

if (needs(test, 'docker', 'registry', 'images')) {
  const dir = tempDir('from-arg-stage-');
  const { busybox, node } = services().images;
  writeFileSync(join(dir, 'Dockerfile'), `ARG BASE=first\nFROM ${busybox} AS first\nCOPY a /from-first\nFROM \${BASE}\nCOPY a /a\n`);
  writeFileSync(join(dir, 'a'), 'a\n');
  const tag = `from-arg-stage-${process.pid}`;
  const ls = (image: string) => execFileSync('docker', ['run', '--rm', '--network', 'host', image, 'ls', '/'], { encoding: 'utf8' }).trim().split('\n').sort();

  for (const [name, args] of [['the default names the stage', []], ['--build-arg BASE=<image> skips the stage', ['--build-arg', `BASE=${node}`]]] as [string, string[]][]) {
    test(`FROM \${BASE}: ${name}, as docker build does`, async () => {
      const ours = `${tag}:ours`;
      const theirs = `${tag}:docker`;
      try {
        const r = await runCli(['build', dir, ...args, '-o', `docker-archive:${join(dir, 'out.tar')}:${ours}`, '--cache-dir', join(dir, 'cache')]);
        assert.is(r.code, 0, r.stderr);
        execFileSync('docker', ['load', '-q', '-i', join(dir, 'out.tar')]);
        execFileSync('docker', ['build', '-q', '--network', 'host', ...args, '-t', theirs, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
        const got = ls(ours);
        assert.equal(got, ls(theirs));
        assert.is(got.includes('from-first'), args.length === 0);
      } finally {
        execFileSync('docker', ['rmi', '-f', ours, theirs], { stdio: 'ignore' });
      }
    });
  }
}

test.run();
