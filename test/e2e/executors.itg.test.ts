// The same RUN Dockerfile through the engine executor (host Docker socket) and the chroot executor
// (daemonless, root) gives the same file tree – compared after `umoci unpack` – and here even the
// same digest. Deletions become whiteouts that hide the base's file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs, services } from '../lib/services.js';
import { runCli } from '../lib/cli.js';

const ok = needs(test, 'docker', 'registry');
const work = mkdtempSync(join(tmpdir(), 'pipeline-exec-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

const tree = (root: string) => execFileSync('find', ['.', '-printf', '%p %y %m %U:%G %s %l\\n'], { cwd: root, encoding: 'utf8' }).split('\n').sort().join('\n');

if (ok) {
  test('engine and chroot executors produce equal trees (umoci) and the same digest', async () => {
    const ctx = join(work, 'ctx');
    execFileSync('mkdir', ['-p', ctx]);
    writeFileSync(join(ctx, 'Dockerfile'), [
      `FROM ${services().images.busybox}`,
      'RUN mkdir -p /opt/app/bin && echo hello > /opt/app/greeting && ln -s greeting /opt/app/link && chmod 0750 /opt/app/bin && rm /etc/group',
      "RUN echo 'svc:x:1234:1234::/:/bin/sh' >> /etc/passwd && touch /opt/app/bin/tool && chmod 755 /opt/app/bin/tool && chown 1234:1234 /opt/app/bin/tool",
      '',
    ].join('\n'));
    const digests: string[] = [];
    for (const ex of ['engine', 'chroot']) {
      const r = await runCli(['build', ctx, '--executor', ex, '-o', `oci:${join(work, ex)}`, '--cache-dir', join(work, `cache-${ex}`), '--json'], { SOURCE_DATE_EPOCH: '1700000000' });
      assert.is(r.code, 0, r.stderr);
      digests.push((JSON.parse(r.stdout) as { digest: string }).digest);
      execFileSync('umoci', ['unpack', '--image', `${join(work, ex)}:latest`, join(work, `u-${ex}`)], { stdio: 'ignore' });
    }
    const [e, c] = [tree(join(work, 'u-engine/rootfs')), tree(join(work, 'u-chroot/rootfs'))];
    assert.fixture(c, e);
    assert.is(digests[0], digests[1]);
    const root = join(work, 'u-chroot/rootfs');
    assert.not.ok(existsSync(join(root, 'etc/group')), 'rm in RUN became a whiteout');
    assert.is(readFileSync(join(root, 'opt/app/greeting'), 'utf8'), 'hello\n');
    assert.match(e, /\.\/opt\/app\/bin\/tool f 755 1234:1234/);
  });

  test('a failing RUN is exit 1 with its output; RUN under the native executor is exit 2 naming the others', async () => {
    const ctx = join(work, 'fail');
    execFileSync('mkdir', ['-p', ctx]);
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${services().images.busybox}\nRUN echo broken-step >&2 && exit 3\n`);
    const r = await runCli(['build', ctx, '--executor', 'engine', '--cache-dir', join(work, 'c3')]);
    assert.is(r.code, 1);
    assert.match(r.stderr, /Dockerfile:2:1: RUN failed with exit code 3/);
    assert.match(r.stderr, /broken-step/);
    const n = await runCli(['build', ctx, '--cache-dir', join(work, 'c3')]);
    assert.is(n.code, 2);
    assert.match(n.stderr, /--executor engine/);
    assert.match(n.stderr, /--executor chroot/);
  });
}

test.run();
