// What RUN leaves behind: the engine executor labels every image it loads and container it runs
// and removes them when the build ends, fails or is interrupted (issue 11: an untagged, unlabelled
// ~100 MB image per RUN piled up); leftovers of a build killed outright are removed by the next.
// The chroot executor's roots go the same way, and Ctrl-C stops the running step.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needs, services } from '../lib/services.js';
import { runCli } from '../lib/cli.js';
import { tempDir } from '../lib/tmp.js';

const bin = fileURLToPath(new URL('../../packages/cli/bin/pipeline.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const labelled = (kind: 'images' | 'containers') =>
  execFileSync('docker', kind === 'images' ? ['images', '-q', '--no-trunc', '--filter', 'label=dev.pipeline.build-step=true'] : ['ps', '-aq', '--no-trunc', '--filter', 'label=dev.pipeline.build-step=true'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
const fresh = (before: string[], now: string[]) => now.filter((x) => !before.includes(x));
/** Pids whose command line is exactly `cmd` (from /proc, as pgrep -fx would say). */
const running = (cmd: string) =>
  readdirSync('/proc').filter((p) => /^\d+$/.test(p) && (() => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') === cmd;
    } catch {
      return false;
    }
  })());

async function until<T>(what: string, f: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** A context whose second RUN needs a state the engine does not have (a COPY in between), so it is loaded. */
function context(dir: string, lastRun: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'x.txt'), `${dir}\n`);
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${services().images.busybox}\nRUN echo one > /one\nCOPY x.txt /x.txt\n${lastRun}\n`);
  return dir;
}

if (needs(test, 'docker', 'registry', 'images')) {
  const work = tempDir('run-cleanup-');

  test('engine: the state loaded for a RUN is labelled while the build runs and gone when it ends', async () => {
    const before = { images: labelled('images'), containers: labelled('containers') };
    const ctx = context(join(work, 'ok'), 'RUN sleep 3 && echo two > /two');
    const run = runCli(['build', ctx, '--executor', 'engine', '--no-cache', '--cache-dir', join(work, 'cache')]);
    const seen = await until('a labelled image and container of the running build', () => {
      const i = fresh(before.images, labelled('images'));
      const c = fresh(before.containers, labelled('containers'));
      if (!i.length || !c.length) return undefined;
      const got = spawnSync('docker', ['image', 'inspect', i[0], '--format', '{{json .Config.Labels}}'], { encoding: 'utf8' });
      return got.status === 0 ? (JSON.parse(got.stdout) as Record<string, string>) : undefined;
    });
    assert.is(seen['dev.pipeline.build-host'], hostname());
    assert.ok(Number(seen['dev.pipeline.build-pid']) > 0);
    const r = await run;
    assert.is(r.code, 0, r.stderr);
    assert.equal(fresh(before.images, labelled('images')), [], 'images left behind');
    assert.equal(fresh(before.containers, labelled('containers')), [], 'containers left behind');
  });

  for (const executor of ['engine', 'chroot']) {
    test(`${executor}: a failing RUN is exit 1 with its line, exit code and last 10 output lines, and leaves nothing behind`, async () => {
      const before = { images: labelled('images'), containers: labelled('containers') };
      const tmp = join(work, `tmp-fail-${executor}`);
      mkdirSync(tmp, { recursive: true });
      const ctx = context(join(work, `fail-${executor}`), 'RUN for i in $(seq 1 15); do echo "output line $i"; done; echo "the last words"; exit 5');
      const r = await runCli(['build', ctx, '--executor', executor, '--no-cache', '--cache-dir', join(work, 'cache')], { TMPDIR: tmp });
      assert.is(r.code, 1, r.stderr);
      const error = r.stderr.slice(r.stderr.indexOf('error:'));
      assert.match(error, /Dockerfile:4:1: RUN failed with exit code 5: RUN for i in/);
      assert.match(error, /output line 7\n[^]*output line 15\n[^]*the last words/);
      assert.not.match(error, /output line 6\n/, 'only the last 10 lines');
      assert.not.match(r.stderr, /internal error|\n\s+at /);
      assert.equal(fresh(before.images, labelled('images')), []);
      assert.equal(fresh(before.containers, labelled('containers')), []);
      assert.equal(readdirSync(tmp).filter((n) => n.startsWith('pipeline-')), [], 'temp roots left in TMPDIR');
    });
  }

  test('engine: what a build killed outright left is removed by the next build on this host', async () => {
    const dead = spawnSync('true').pid!; // a pid that has exited
    const id = execFileSync('docker', ['create', '--label', 'dev.pipeline.build-step=true', '--label', `dev.pipeline.build-host=${hostname()}`, '--label', `dev.pipeline.build-pid=${dead}`, services().images.localBusybox, 'true'], { encoding: 'utf8' }).trim();
    try {
      const r = await runCli(['build', context(join(work, 'sweep'), 'RUN true'), '--executor', 'engine', '--no-cache', '--cache-dir', join(work, 'cache')]);
      assert.is(r.code, 0, r.stderr);
      assert.not.ok(labelled('containers').includes(id), 'the stale container is gone');
    } finally {
      spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
    }
  });

  for (const executor of ['engine', 'chroot']) {
    test(`${executor}: Ctrl-C stops the running RUN, removes what the build made and exits 1`, async () => {
      const tmp = join(work, `tmp-${executor}`);
      mkdirSync(tmp, { recursive: true });
      const before = { images: labelled('images'), containers: labelled('containers') };
      const marker = executor === 'engine' ? '987' : '986';
      const ctx = context(join(work, `int-${executor}`), `RUN echo running; sleep ${marker}`);
      const child = spawn(process.execPath, [bin, 'build', ctx, '--executor', executor, '--no-cache', '--cache-dir', join(work, 'cache')], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
      await until('the step to run', () => stderr.includes('running'), 120_000);
      child.kill('SIGINT');
      const code = await Promise.race([exited, sleep(60_000).then(() => 'timeout' as const)]);
      if (code === 'timeout') child.kill('SIGKILL');
      assert.is(code, 1, stderr);
      assert.match(stderr, /SIGINT: stopping the build/);
      assert.match(stderr, /RUN interrupted/);
      assert.not.match(stderr, /internal error/);
      assert.equal(fresh(before.images, labelled('images')), []);
      assert.equal(fresh(before.containers, labelled('containers')), []);
      assert.equal(readdirSync(tmp).filter((n) => n.startsWith('pipeline-')), [], 'temp roots left in TMPDIR');
      assert.equal(running(`sleep ${marker}`), [], 'the step\'s process is gone');
    });
  }
}

test.run();
