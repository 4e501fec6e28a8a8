// RUN through pipeline's executors (engine: the host engine's containers; chroot: daemonless, root),
// against BuildKit's RUN: users, steps that change nothing, delete or only chmod/chown, parents kept,
// type changes and links, SHELL and the exec form, ARG/ENV, a missing WORKDIR, what a step leaves
// running, the runtime's own files.
// Known and documented (docs/executors.md): the engine's containers list the primary group among the
// supplementary ones and set HOSTNAME, which BuildKit's RUN does not; cases that print the
// supplementary groups are therefore the chroot executor's.
import type { Case } from '../case.js';

const both: Case['executors'] = ['engine', 'chroot'];

/** Records, as files, who a step runs as: uid, gid, HOME, and the owner of a file it makes. */
const whoami = (dir: string) => `RUN mkdir ${dir} && id -u > ${dir}/uid && id -g > ${dir}/gid && echo "$HOME" > ${dir}/home && touch ${dir}/made`;

export const run: Case[] = [
  {
    name: 'run-writes-files',
    why: 'reference: RUN executes in a new layer on top of the image; its file changes are the layer',
    dockerfile: 'FROM {{busybox}}\nRUN mkdir -p /opt/app && echo hi > /opt/app/greeting && chmod 0750 /opt/app\n',
    executors: both,
  },
  {
    name: 'run-as-non-root-user',
    why: 'issue 10: a user added by a RUN, then RUN as that USER (the chroot executor could not reach the rootfs: Permission denied)',
    dockerfile: `FROM {{busybox}}\nRUN echo "app2:x:1001:1001::/home/app2:/bin/sh" >> /etc/passwd\nUSER app2\n${whoami('/tmp/who')}\nRUN echo done\n`,
    executors: both,
  },
  {
    name: 'run-id-as-user-issue-10',
    why: "issue 10's Dockerfile as written; `id` prints the supplementary groups (BuildKit: from /etc/group alone; the engine's containers add the primary group, so this case is the chroot executor's)",
    dockerfile: 'FROM {{busybox}}\nRUN echo "app:x:1001:1001::/home/app:/bin/sh" >> /etc/passwd\nUSER app\nRUN id > /tmp/id.txt; echo done\n',
    executors: ['chroot'],
  },
  {
    name: 'run-user-forms',
    why: "reference USER <user>[:<group>] and <UID>[:<GID>]: names from the image's /etc/passwd and /etc/group (distro: users named unlike their groups, a user without a group line, a uid without an entry)",
    dockerfile: ['FROM {{distro}}', 'USER app', whoami('/tmp/u1'), 'USER web:staff', whoami('/tmp/u2'), 'USER 1234', whoami('/tmp/u3'), 'USER 1234:www-data', whoami('/tmp/u4'), 'USER svc', whoami('/tmp/u5'), 'USER 33:1002', whoami('/tmp/u6'), 'USER root', whoami('/u7'), ''].join('\n'),
    executors: both,
  },
  {
    name: 'run-as-missing-user',
    why: 'USER names a user the image lacks: the step cannot start (runc: unable to find user)',
    dockerfile: 'FROM {{busybox}}\nUSER ghost\nRUN true\n',
    executors: both,
    expect: 'error',
  },
  {
    name: 'run-as-missing-group',
    why: 'USER user:group with a group the image lacks: the step cannot start (runc: unable to find group)',
    dockerfile: 'FROM {{busybox}}\nUSER app:ghosts\nRUN true\n',
    executors: both,
    expect: 'error',
  },
  {
    name: 'run-supplementary-groups',
    why: 'runc: without an explicit group, the groups listing the user; with one, none (BuildKit; the engine lists the primary group too, so this case is the chroot executor\'s)',
    dockerfile: ['FROM {{distro}}', "RUN echo 'extra:x:3000:app,web' >> /etc/group", 'RUN grep Groups /proc/self/status > /g-root', 'USER app', 'RUN grep Groups /proc/self/status > /tmp/g-app', 'USER web', 'RUN grep Groups /proc/self/status > /tmp/g-web', 'USER app:www-data', 'RUN grep Groups /proc/self/status > /tmp/g-app-explicit', ''].join('\n'),
    executors: ['chroot'],
  },
  {
    name: 'run-changes-nothing',
    why: 'issue 10: a RUN that changes no file (the engine executor crashed: the engine answers its changes with null)',
    dockerfile: 'FROM {{busybox}}\nRUN true\nRUN echo nothing to write\n',
    executors: both,
  },
  {
    name: 'run-deletes-files',
    why: 'a RUN that deletes a file, a tree, and replaces a directory: whiteouts in its layer',
    dockerfile: 'FROM {{busybox}}\nRUN mkdir -p /opt/tree/sub && echo x > /opt/tree/sub/f && echo y > /opt/keep\nRUN rm /etc/group && rm -rf /opt/tree\nRUN rm -rf /usr/sbin && mkdir /usr/sbin && echo new > /usr/sbin/only\n',
    executors: both,
  },
  {
    name: 'run-deletes-base-files',
    why: "deleting what the base image has, through its merged /usr links (distro: /bin -> usr/bin)",
    dockerfile: 'FROM {{distro}}\nRUN rm -rf /opt/app /var/lib/private && rm /etc/group /bin/true\n',
    executors: both,
  },
  {
    name: 'run-metadata-only',
    why: 'chmod/chown only: the layer carries each file with its new mode and owner (setuid kept)',
    dockerfile: 'FROM {{busybox}}\nRUN chmod 0600 /etc/passwd && chown 1000:1000 /tmp && chmod 0700 /root\nRUN chown -h 1000:1000 /bin/sh && chmod 4755 /bin/busybox\n',
    executors: both,
  },
  {
    name: 'run-keeps-parent-dirs',
    why: "a file changed inside directories of other owners and modes (distro: /srv/data 2775 1001:1002, /home/app 0750): the directories keep theirs",
    dockerfile: 'FROM {{distro}}\nRUN touch /srv/data/new && echo hi > /home/app/note && echo more >> /opt/app/README\n',
    executors: both,
  },
  {
    name: 'run-type-changes-and-links',
    why: 'a directory becomes a file, a file a directory, a directory a symlink; hard and relative symbolic links made by the step',
    dockerfile: 'FROM {{busybox}}\nRUN mkdir -p /d1 /d2 && echo f > /f1 && echo x > /d2/x\nRUN rm -rf /d1 && echo now-a-file > /d1 && rm /f1 && mkdir /f1 && rm -rf /d2 && ln -s /tmp /d2\nRUN echo data > /bin/data && ln /bin/data /bin/data-hard && ln -s busybox /bin/bb-soft\n',
    executors: both,
  },
  // A new hard link to a file the step did not change: BuildKit's layer holds the new name as a plain
  // file (as pipeline's does), but the engine's vfs store keeps the step's own inodes for the image it
  // built, so its export shows the old name linked: compared layer to layer in test/e2e/run-layers.itg.test.ts.
  {
    name: 'run-mount-points-in-layer',
    why: "BuildKit's first RUN on a base without /dev, /proc, /sys leaves those mount points in its layer (seen through COPY --from of the stage's root)",
    dockerfile: 'FROM {{busybox}} AS built\nRUN true\nFROM {{busybox}}\nCOPY --from=built / /copied/\n',
    executors: both,
  },
  {
    name: 'run-shell-and-exec-form',
    why: 'reference SHELL: the shell form runs under it; the exec form runs as it is',
    dockerfile: 'FROM {{busybox}}\nSHELL ["/bin/sh", "-ec"]\nRUN echo "$0 $-" > /shell.txt\nRUN ["/bin/sh", "-c", "echo exec-form > /exec.txt"]\nSHELL ["/bin/ash", "-c"]\nRUN echo "$0" > /shell2.txt\n',
    executors: both,
  },
  {
    name: 'run-arg-env',
    why: 'reference ARG/ENV: a RUN sees the stage\'s ARGs and the ENV (ENV wins), build args override defaults',
    dockerfile: 'FROM {{busybox}}\nARG A=default-a\nARG B\nARG UNSET\nENV C=from-env A=env-wins\nRUN echo "A=$A B=$B C=$C U=${UNSET:-none}" > /vars.txt && env | grep -E "^(A|B|C|UNSET)=" | sort > /env.txt\n',
    buildArgs: { B: 'from-build-arg' },
    executors: both,
  },
  {
    name: 'run-in-missing-workdir',
    why: 'a RUN under a WORKDIR that does not exist yet (root, then as a user)',
    dockerfile: 'FROM {{busybox}}\nWORKDIR /srv/app/sub\nRUN pwd > here.txt && touch made-here\nUSER app\nWORKDIR /srv/owned\nRUN pwd > /tmp/wd.txt\n',
    executors: both,
  },
  {
    name: 'run-background-process',
    why: 'what a RUN leaves running is stopped when the step ends (its own PID namespace)',
    dockerfile: 'FROM {{busybox}}\nRUN (sleep 2; touch /late) >/dev/null 2>&1 & echo started\nRUN sleep 3; ls / > /listing.txt\n',
    executors: both,
  },
  {
    name: 'run-runtime-files',
    why: "/etc/hosts, /etc/resolv.conf and /dev are the runtime's during a RUN: what a step writes there is not kept",
    dockerfile: 'FROM {{busybox}}\nRUN echo "1.2.3.4 extra" >> /etc/hosts; echo nameserver 9.9.9.9 >> /etc/resolv.conf; touch /dev/shm/x; echo ok > /ok\n',
    executors: both,
  },
];
