// RUN compared with the real thing: each Dockerfile is built by `docker build` on the test engine
// and by pipeline with --executor engine and --executor chroot; the three images are loaded into the
// engine, a container of each exported, and the filesystems compared entry by entry (path, type,
// mode, owner, size, link target, content hash; not mtimes, which pipeline sets from the epoch),
// plus the config fields a RUN can touch. Failing RUNs must fail in all three.
// (Moves into the conformance suite, test/conformance, once its harness is on main.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import { needs, services } from '../lib/services.js';
import { runCli } from '../lib/cli.js';
import { tempDir } from '../lib/tmp.js';

interface Case {
  name: string;
  /** Dockerfile lines after FROM <busybox>. */
  lines: string[];
  buildArgs?: Record<string, string>;
  /** Files for the context. */
  files?: Record<string, string>;
  /** The build must fail (exit 1 for pipeline) with this in its message. */
  fails?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'non-root USER (issue 10)',
    lines: ['RUN echo "app2:x:1001:1001::/home/app2:/bin/sh" >> /etc/passwd', 'USER app2', 'RUN id > /tmp/id.txt; echo done', 'RUN mkdir -p /tmp/own && touch /tmp/own/f && grep -E "Uid|Gid|Groups" /proc/self/status > /tmp/own/status'],
  },
  {
    name: 'users: name, name:group, uid, uid:gid, supplementary groups, HOME',
    lines: [
      "RUN echo 'extra:x:2000:app' >> /etc/group && echo 'other:x:3000:' >> /etc/group",
      'USER app',
      'RUN mkdir /tmp/u1 && grep -E "Uid|Gid|Groups" /proc/self/status > /tmp/u1/s && echo "$HOME" > /tmp/u1/home',
      'USER app:other',
      'RUN mkdir /tmp/u2 && grep -E "Uid|Gid|Groups" /proc/self/status > /tmp/u2/s',
      'USER 1234',
      'RUN mkdir /tmp/u3 && grep -E "Uid|Gid|Groups" /proc/self/status > /tmp/u3/s && echo "$HOME" > /tmp/u3/home',
      'USER 1234:2000',
      'RUN mkdir /tmp/u4 && grep -E "Uid|Gid|Groups" /proc/self/status > /tmp/u4/s',
      'USER root',
      'RUN grep -E "Uid|Gid|Groups" /proc/self/status > /root-status',
    ],
  },
  { name: 'a RUN that changes nothing', lines: ['RUN true', 'RUN echo nothing to write'] },
  {
    name: 'RUNs that delete files and trees',
    lines: ['RUN mkdir -p /opt/tree/sub && echo x > /opt/tree/sub/f && echo y > /opt/keep', 'RUN rm /etc/group && rm -rf /opt/tree', 'RUN rm -rf /usr/sbin && mkdir /usr/sbin && echo new > /usr/sbin/only'],
  },
  {
    name: 'metadata-only changes (chmod, chown)',
    lines: ['RUN chmod 0600 /etc/passwd && chown 1000:1000 /tmp && chmod 0700 /root', 'RUN chown -h 1000:1000 /bin/sh && chmod 4755 /bin/busybox'],
  },
  {
    name: 'a file changed inside a 0700 directory of another user keeps the directory',
    lines: ['RUN mkdir -p /home/app && echo a > /home/app/f && chown -R 1000:1000 /home/app && chmod 0700 /home/app', 'RUN echo b >> /home/app/f'],
  },
  {
    name: 'type changes and links',
    lines: ['RUN mkdir -p /d1 /d2 && echo f > /f1 && echo x > /d2/x', 'RUN rm -rf /d1 && echo now-a-file > /d1 && rm /f1 && mkdir /f1 && rm -rf /d2 && ln -s /tmp /d2', 'RUN ln /bin/busybox /bin/bb-hard && ln -s busybox /bin/bb-soft'],
  },
  {
    name: 'SHELL and exec form',
    lines: ['SHELL ["/bin/sh", "-ec"]', 'RUN echo "$0 $-" > /shell.txt', 'RUN ["/bin/sh", "-c", "echo exec-form > /exec.txt"]', 'SHELL ["/bin/ash", "-c"]', 'RUN echo "$0" > /shell2.txt'],
  },
  {
    name: 'ARG and ENV in RUN',
    lines: ['ARG A=default-a', 'ARG B', 'ENV C=from-env A=env-wins', 'RUN echo "A=$A B=$B C=$C" > /vars.txt && env | grep -E "^(A|B|C)=" | sort > /env.txt'],
    buildArgs: { B: 'from-build-arg' },
  },
  {
    name: 'WORKDIR that does not exist yet',
    lines: ['WORKDIR /srv/app/sub', 'RUN pwd > here.txt && touch made-here', 'USER app', 'WORKDIR /srv/app/owned-by-app', 'RUN pwd > /tmp/wd.txt'],
  },
  {
    name: 'what a RUN leaves running dies with it; runtime files are not kept',
    lines: ['RUN (sleep 2; touch /late) >/dev/null 2>&1 & echo started', 'RUN echo "1.2.3.4 extra" >> /etc/hosts; echo nameserver 9.9.9.9 >> /etc/resolv.conf; touch /dev/shm/x; echo ok > /ok'],
  },
  { name: 'a failing RUN fails the build', lines: ['RUN echo first-line && echo "the last words" >&2 && exit 3'], fails: /Dockerfile:2:1: RUN failed with exit code 3[^]*the last words/ },
];

/** A container's filesystem as sorted lines: path type mode uid:gid size link sha256. */
async function exported(image: string): Promise<string[]> {
  const id = execFileSync('docker', ['create', image, '/bin/true'], { encoding: 'utf8' }).trim();
  try {
    const rows: string[] = [];
    const ex = tar.extract();
    ex.on('entry', (h, s, next) => {
      const hash = createHash('sha256');
      s.on('data', (c: unknown) => hash.update(c as Buffer));
      s.on('end', () => {
        const name = h.name.replace(/\/$/, '');
        if (!['.dockerenv', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'proc', 'sys', 'dev'].some((p) => name === p || name.startsWith(`${p}/`))) {
          const size = h.type === 'file' ? `${h.size} ${hash.digest('hex').slice(0, 16)}` : '';
          rows.push(`${name} ${h.type} ${(h.mode ?? 0).toString(8)} ${h.uid}:${h.gid} ${size} ${h.linkname ?? ''}`.trimEnd());
        }
        next();
      });
    });
    const child = spawnSync('docker', ['export', id], { maxBuffer: 1 << 28 });
    await new Promise<void>((ok, fail) => (ex.on('finish', ok), ex.on('error', fail), ex.end(child.stdout)));
    return rows.sort();
  } finally {
    spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
  }
}

const configOf = (image: string) => {
  const c = JSON.parse(execFileSync('docker', ['image', 'inspect', image, '--format', '{{json .Config}}'], { encoding: 'utf8' })) as Record<string, unknown>;
  const labels = Object.fromEntries(Object.entries((c.Labels as Record<string, string>) ?? {}).filter(([k]) => !k.startsWith('org.opencontainers.')));
  return { Env: c.Env, Cmd: c.Cmd, Entrypoint: c.Entrypoint, WorkingDir: c.WorkingDir, User: c.User, Shell: c.Shell ?? null, Labels: labels };
};

if (needs(test, 'docker', 'registry', 'images')) {
  const work = tempDir('run-parity-');
  const tag = `run-exec-parity-${process.pid}`;
  const made: string[] = [];
  test.after(() => void spawnSync('docker', ['rmi', '-f', ...made], { stdio: 'ignore' }));

  CASES.forEach((c, i) => {
    test(`RUN as docker build does, both executors: ${c.name}`, async () => {
      const ctx = join(work, `case${i}`);
      mkdirSync(ctx, { recursive: true });
      for (const [f, body] of Object.entries(c.files ?? {})) writeFileSync(join(ctx, f), body);
      writeFileSync(join(ctx, 'Dockerfile.docker'), [`FROM ${services().images.localBusybox}`, ...c.lines, ''].join('\n'));
      writeFileSync(join(ctx, 'Dockerfile'), [`FROM ${services().images.busybox}`, ...c.lines, ''].join('\n'));
      const args = Object.entries(c.buildArgs ?? {}).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
      const ref = `${tag}-${i}:docker`;
      const d = spawnSync('docker', ['build', '--no-cache', '-q', '-t', ref, '-f', join(ctx, 'Dockerfile.docker'), ...args, ctx], { encoding: 'utf8' });
      if (c.fails) assert.is.not(d.status, 0, 'docker build must fail too');
      else {
        assert.is(d.status, 0, d.stderr);
        made.push(ref);
      }
      for (const ex of ['engine', 'chroot']) {
        const archive = join(ctx, `${ex}.tar`);
        const pref = `${tag}-${i}:${ex}`;
        const r = await runCli(['build', ctx, '--executor', ex, '--no-cache', '--cache-dir', join(work, 'cache'), ...args, '-o', `docker-archive:${archive}:${pref}`]);
        if (c.fails) {
          assert.is(r.code, 1, `${ex}: ${r.stderr}`);
          assert.match(r.stderr, c.fails);
          assert.not.match(r.stderr, /internal error|\n\s+at /);
          continue;
        }
        assert.is(r.code, 0, `${ex}: ${r.stderr}`);
        execFileSync('docker', ['load', '-q', '-i', archive], { stdio: 'ignore' });
        made.push(pref);
        assert.equal(await exported(pref), await exported(ref), `${ex}: filesystem`);
        assert.equal(configOf(pref), configOf(ref), `${ex}: config`);
      }
    });
  });
}

test.run();
