// What a COPY keeps of the context (BuildKit: modes as they are, owner 0:0 unless --chown), symlinks,
// empty directories and dotfiles.
import type { Case } from '../case.js';

export const modesLinks: Case[] = [
  {
    name: 'context-modes-kept',
    why: 'Docker keeps the permission bits of context files and directories (0600, 0700, 0640, 0750, 0755)',
    dockerfile: 'FROM {{busybox}}\nCOPY . /app/\nCOPY secret.key /etc/secret.key\nCOPY private /private\n',
    files: {
      'secret.key': { content: 'k\n', mode: 0o600 },
      'run.sh': { content: '#!/bin/sh\n', mode: 0o755 },
      'group.conf': { content: 'g\n', mode: 0o640 },
      'private/': { dir: true, mode: 0o700 },
      'private/data': { content: 'd\n', mode: 0o600 },
      'shared/': { dir: true, mode: 0o750 },
      'shared/x': 'x\n',
    },
  },
  {
    name: 'context-special-modes',
    why: 'setuid, setgid and sticky bits of the context are kept',
    dockerfile: 'FROM {{busybox}}\nCOPY . /app/\n',
    files: { 'suid': { content: 's\n', mode: 0o4755 }, 'sgid': { content: 'g\n', mode: 0o2755 }, 'sticky/': { dir: true, mode: 0o1777 }, 'sticky/f': 'f\n' },
  },
  {
    name: 'empty-directories',
    why: 'empty directories of the context are copied (real world: runtime dirs like logs/ and tmp/)',
    dockerfile: 'FROM {{busybox}}\nCOPY . /app\nCOPY logs /var/log/app\n',
    files: { 'logs/': { dir: true }, 'tmp/cache/': { dir: true, mode: 0o700 }, 'a': 'a\n' },
  },
  {
    name: 'dotfiles',
    why: 'COPY . copies dotfiles and dot-directories (.env, .config)',
    dockerfile: 'FROM {{busybox}}\nWORKDIR /home/app\nCOPY . .\nCOPY .npmrc /root/\n',
    files: { '.env': 'A=1\n', '.npmrc': 'registry=x\n', '.config/tool/settings': 's\n', visible: 'v\n' },
  },
  {
    name: 'symlinks-in-directory',
    why: 'symlinks inside a copied directory stay symlinks, with their target as written',
    dockerfile: 'FROM {{busybox}}\nCOPY app /app\n',
    files: { 'app/real.txt': 'r\n', 'app/rel': { symlink: 'real.txt' }, 'app/abs': { symlink: '/etc/passwd' }, 'app/dangling': { symlink: 'nothing-here' }, 'app/dirlink': { symlink: 'sub' }, 'app/sub/x': 'x\n' },
  },
  {
    name: 'symlink-source-followed',
    why: 'reference: a symlink named as the source itself is followed (its target is copied)',
    dockerfile: 'FROM {{busybox}}\nCOPY current /app/current\nCOPY linkdir /linked/\n',
    files: { 'v2.txt': 'two\n', current: { symlink: 'v2.txt' }, 'realdir/f': 'f\n', linkdir: { symlink: 'realdir' } },
  },
  {
    name: 'symlink-dest-in-image',
    why: 'COPY onto a path that is a symlink to a file in the base: the link is replaced by the file',
    dockerfile: 'FROM {{busybox}}\nCOPY sh /bin/sh\n',
    files: { sh: '#!/not/a/shell\n' },
  },
];
