// ADD of local files and archives (reference: "If <src> is a local tar archive in a recognized
// compression format (identity, gzip, bzip2 or xz) then it is unpacked as a directory"; detection
// by content, not name; anything else is copied as is).
import { gzipSync } from 'node:zlib';
import type { Case } from '../case.js';
import { tarball } from '../archive.js';

const members = [
  { name: 'app/', type: 'dir' as const, mode: 0o750, uid: 1000, gid: 1000 },
  { name: 'app/bin/', type: 'dir' as const },
  { name: 'app/bin/run', content: '#!/bin/sh\n', mode: 0o755, uid: 1000, gid: 1000 },
  { name: 'app/conf', content: 'c\n', mode: 0o600, uid: 33, gid: 33 },
  { name: 'app/link', type: 'symlink' as const, link: 'conf' },
  { name: 'app/hard', type: 'hardlink' as const, link: 'app/conf', mode: 0o600, uid: 33, gid: 33 },
];

export const add: Case[] = [
  {
    name: 'add-local-tar',
    why: 'reference: a local tar is unpacked into <dest> with the owners and modes it stores',
    dockerfile: 'FROM {{busybox}}\nADD release.tar /opt/\n',
    files: { 'release.tar': tarball(members) },
  },
  {
    name: 'add-local-tar-gz',
    why: 'a gzip tar (named .tgz) is unpacked the same way',
    dockerfile: 'FROM {{busybox}}\nWORKDIR /srv\nADD release.tgz .\n',
    files: { 'release.tgz': tarball(members, { gzip: true }) },
  },
  {
    name: 'add-tar-chown',
    why: 'ADD --chown of a local archive: the members keep the owners stored in the tar',
    dockerfile: 'FROM {{busybox}}\nADD --chown=7:8 release.tar.gz /o/t/\n',
    files: { 'release.tar.gz': tarball(members, { gzip: true }) },
  },
  {
    name: 'add-tar-into-existing',
    why: 'ADD of an archive into an existing directory of the base merges with it (and keeps the directory)',
    dockerfile: 'FROM {{distro}}\nADD rootfs.tar /\n',
    files: { 'rootfs.tar': tarball([{ name: 'etc/app.conf', content: 'a\n' }, { name: 'srv/data/seed', content: 's\n', uid: 1001, gid: 1002 }, { name: 'lib/extra.so', content: 'so\n' }]) },
  },
  {
    name: 'add-gzip-not-tar',
    why: 'a gzip file that is not a tar is copied as is (not an error, not unpacked)',
    dockerfile: 'FROM {{busybox}}\nADD data.json.gz /data/\nADD data.json.gz /data/renamed.gz\n',
    files: { 'data.json.gz': gzipSync(Buffer.from('{"a":1}\n')) },
  },
  {
    name: 'add-plain-files',
    why: 'ADD of ordinary files and directories behaves as COPY',
    dockerfile: 'FROM {{busybox}}\nADD f /x\nADD dir /dir/\nADD --chown=5:6 f /owned\n',
    files: { f: { content: 'f\n', mode: 0o640 }, 'dir/a': 'a\n' },
  },
  {
    name: 'add-tar-named-like-text',
    why: 'archives are recognized by content: a tar named .txt is unpacked, a text file named .tar is copied',
    dockerfile: 'FROM {{busybox}}\nADD notes.txt /n/\nADD fake.tar /f/\n',
    files: { 'notes.txt': tarball([{ name: 'inner', content: 'i\n' }]), 'fake.tar': 'just text\n' },
  },
];
