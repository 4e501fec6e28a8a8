// COPY/ADD destination rules (Dockerfile reference, COPY: "If <dest> doesn't end with a trailing
// slash, it will be considered a regular file…"; a relative <dest> is relative to WORKDIR; several
// sources need a directory; an existing directory is a directory whatever the slash).
import type { Case } from '../case.js';

export const copyDestination: Case[] = [
  {
    name: 'copy-dot-after-workdir',
    why: 'the most common line of real Dockerfiles: WORKDIR /app then COPY package.json .',
    dockerfile: 'FROM {{busybox}}\nWORKDIR /app\nCOPY package.json .\n',
    files: { 'package.json': '{"name":"app"}\n' },
  },
  {
    name: 'copy-dir-trailing-slash-new',
    why: 'a destination ending in / is a directory, created with its parents',
    dockerfile: 'FROM {{busybox}}\nCOPY app.conf /etc/app/conf.d/\n',
    files: { 'app.conf': 'x=1\n' },
  },
  {
    name: 'copy-file-new-name',
    why: 'a destination without a slash that does not exist is the file itself',
    dockerfile: 'FROM {{busybox}}\nCOPY app.conf /etc/myapp.conf\nCOPY app.conf /deep/new/parents/app\n',
    files: { 'app.conf': 'x=1\n' },
  },
  {
    name: 'copy-several-sources',
    why: 'reference: with several sources <dest> must be a directory and end with /',
    dockerfile: 'FROM {{busybox}}\nCOPY a.txt b.txt /dst/\nWORKDIR /w\nCOPY a.txt b.txt ./\n',
    files: { 'a.txt': 'a\n', 'b.txt': 'b\n' },
  },
  {
    name: 'copy-dir-contents',
    why: 'reference: "If <src> is a directory, the entire contents of the directory are copied", not the directory itself',
    dockerfile: 'FROM {{busybox}}\nCOPY src /app/\nCOPY src /app2\nCOPY src/ /app3/sub\n',
    files: { 'src/index.js': 'main()\n', 'src/lib/util.js': 'util\n' },
  },
  {
    name: 'copy-dot-dot-workdir',
    why: 'real-world Node Dockerfile: WORKDIR /usr/src/app, COPY . .',
    dockerfile: 'FROM {{busybox}}\nWORKDIR /usr/src/app\nCOPY . .\n',
    files: { 'package.json': '{}\n', 'src/app.js': 'x\n', 'public/index.html': '<p>\n' },
  },
  {
    name: 'copy-wildcards',
    why: 'reference: <src> may contain wildcards matched with Go filepath.Match rules',
    dockerfile: 'FROM {{busybox}}\nCOPY *.txt /txt/\nCOPY conf?.ini /ini/\nCOPY [ab]*.md /md/\nCOPY dir* /dirs/\n',
    files: { 'a.txt': 'a\n', 'b.txt': 'b\n', 'conf1.ini': '1\n', 'conf22.ini': '22\n', 'a1.md': 'a\n', 'c1.md': 'c\n', 'dir1/x': 'x\n', 'dir2/y': 'y\n' },
  },
  {
    name: 'copy-wildcard-matching-nothing',
    why: "Docker's own Node.js example: COPY package.json yarn.lock* package-lock.json* ./ when only one lock file exists",
    dockerfile: 'FROM {{busybox}}\nWORKDIR /usr/src/app\nCOPY package.json yarn.lock* package-lock.json* ./\n',
    files: { 'package.json': '{}\n', 'package-lock.json': '{"lockfileVersion":3}\n' },
  },
  {
    name: 'copy-onto-existing-dir-without-slash',
    why: 'an existing directory is a directory: COPY f /opt/app puts /opt/app/f (distro has /opt/app)',
    dockerfile: 'FROM {{distro}}\nCOPY settings.json /opt/app\nCOPY settings.json /tmp\n',
    files: { 'settings.json': '{}\n' },
  },
  {
    name: 'copy-through-merged-usr-link',
    why: 'distros with merged /usr: COPY into /lib/... writes through the /lib -> usr/lib link, which stays a link',
    dockerfile: 'FROM {{distro}}\nCOPY libfoo.so /lib/\nCOPY libfoo.so /lib/x86_64/libfoo.so.1\nCOPY tool /bin/tool\nCOPY app.pid /var/run/app/\n',
    files: { 'libfoo.so': 'ELF\n', tool: { content: '#!/bin/sh\n', mode: 0o755 }, 'app.pid': '1\n' },
  },
  {
    name: 'copy-dir-through-link',
    why: 'a directory source copied to a destination under a symlinked directory',
    dockerfile: 'FROM {{distro}}\nCOPY plugins /lib/plugins\nCOPY plugins /lib\n',
    files: { 'plugins/a.so': 'a\n', 'plugins/sub/b.so': 'b\n' },
  },
  {
    name: 'copy-relative-dest-without-workdir',
    why: 'a relative destination with no WORKDIR is relative to /',
    dockerfile: 'FROM {{busybox}}\nCOPY f rel/\nCOPY f rel2\nCOPY f ./\n',
    files: { f: 'f\n' },
  },
  {
    name: 'copy-replaces-file',
    why: 'COPY over a file of the base replaces it (and keeps nothing of it)',
    dockerfile: 'FROM {{busybox}}\nCOPY passwd /etc/passwd\nCOPY motd /etc/\n',
    files: { passwd: 'root:x:0:0:root:/root:/bin/sh\n', motd: 'hi\n' },
  },
  {
    name: 'copy-into-existing-dirs-keeps-them',
    why: 'COPY into a directory of the base keeps that directory\'s mode and owner (0700, 2775 1001:1002, 1777)',
    dockerfile: 'FROM {{distro}}\nCOPY f /var/lib/private/\nCOPY f /srv/data/f\nCOPY f /tmp/\nCOPY d /home/app\n',
    files: { f: 'f\n', 'd/x': 'x\n' },
  },
  {
    name: 'copy-source-leading-slash',
    why: 'sources are relative to the context even with a leading / or ./',
    dockerfile: 'FROM {{busybox}}\nCOPY /f /a\nCOPY ./sub/../f /b\n',
    files: { f: 'f\n', 'sub/g': 'g\n' },
  },
  {
    name: 'copy-dir-onto-existing-file',
    why: 'COPY of a directory whose file replaces a file of the base at the same path',
    dockerfile: 'FROM {{busybox}}\nCOPY etc /etc\n',
    files: { 'etc/hostname': 'web\n', 'etc/app/app.conf': 'a\n' },
  },
  {
    name: 'copy-missing-source',
    why: 'reference: sources must exist; a missing one fails the build',
    dockerfile: 'FROM {{busybox}}\nCOPY here.txt /\nCOPY nosuch.txt /\n',
    files: { 'here.txt': 'x\n' },
    expect: 'error',
  },
  {
    name: 'copy-wildcard-matching-nothing-alone',
    why: 'BuildKit (AllowEmptyWildcard): a COPY whose only source is a wildcard matching nothing copies nothing and creates no destination',
    dockerfile: 'FROM {{busybox}}\nCOPY *.none /x/\nCOPY a.txt *.none /y/\n',
    files: { 'a.txt': 'x\n' },
  },
  {
    name: 'copy-several-sources-without-slash',
    why: 'BuildKit copies each source onto <dest> in turn: without a trailing slash the last one is the file',
    dockerfile: 'FROM {{busybox}}\nCOPY a.txt b.txt /dst\nCOPY *.txt /wild\n',
    files: { 'a.txt': 'a\n', 'b.txt': 'b\n' },
  },
  {
    name: 'copy-dir-onto-merged-usr-root',
    why: 'a directory copied over / whose lib/ meets the /lib -> usr/lib link: Docker refuses ("cannot copy to non-directory")',
    dockerfile: 'FROM {{distro}}\nCOPY rootfs /\n',
    files: { 'rootfs/lib/x.so': 'x\n', 'rootfs/etc/app.conf': 'a\n' },
    expect: 'error',
  },
  {
    name: 'copy-rootfs-overlay',
    why: 'real world: COPY rootfs/ / merges into existing directories; those below the top take the source\'s mode and owner',
    dockerfile: 'FROM {{distro}}\nCOPY rootfs/ /\n',
    files: { 'rootfs/etc/app.conf': 'a\n', 'rootfs/srv/data/seed': 's\n', 'rootfs/usr/local/share/app/': { dir: true, mode: 0o750 }, 'rootfs/home/app/.profile': 'p\n' },
  },
];
