// COPY/ADD --chown and --chmod (Dockerfile reference: "--chown=<user>:<group>… names are looked up in
// the container's /etc/passwd and /etc/group"; BuildKit: a user alone takes its passwd primary group).
import type { Case } from '../case.js';

const f = { 'f.txt': 'f\n', 'd/x.txt': 'x\n', 'd/sub/y.txt': 'y\n' };

export const chownChmod: Case[] = [
  {
    name: 'chown-numeric',
    why: 'reference: --chown=10:11 by ids; directory sources chown every entry',
    dockerfile: 'FROM {{busybox}}\nCOPY --chown=10:11 f.txt /f\nCOPY --chown=1000:1000 d /d\n',
    files: f,
  },
  {
    name: 'chown-uid-only',
    why: 'reference: a uid without a group makes the gid the same number',
    dockerfile: 'FROM {{busybox}}\nCOPY --chown=1234 f.txt /f\n',
    files: f,
  },
  {
    name: 'chown-user-name-only',
    why: 'a user name alone: uid and primary gid from /etc/passwd (distro: app is 1001:1001 while a group "app" is 1002)',
    dockerfile: 'FROM {{distro}}\nCOPY --chown=app f.txt /home/app/f\nCOPY --chown=web d /var/www/\n',
    files: f,
  },
  {
    name: 'chown-user-and-group-names',
    why: 'reference: --chown=user:group by names from /etc/passwd and /etc/group',
    dockerfile: 'FROM {{distro}}\nCOPY --chown=web:www-data f.txt /srv/www/f\nCOPY --chown=app:app f.txt /srv/app/f\nCOPY --chown=0:staff f.txt /srv/staff/f\nCOPY --chown=svc:1500 f.txt /srv/svc/f\n',
    files: f,
  },
  {
    name: 'chown-user-without-group-line',
    why: 'a user whose primary gid has no line in /etc/group still gets that gid',
    dockerfile: 'FROM {{distro}}\nCOPY --chown=svc f.txt /srv/svc/f\n',
    files: f,
  },
  {
    name: 'chown-created-parents',
    why: 'BuildKit: the parent directories a COPY --chown creates belong to that owner too',
    dockerfile: 'FROM {{busybox}}\nCOPY --chown=1000:1000 f.txt /opt/new/deep/f\nCOPY --chown=33:33 d /srv/www/html/\n',
    files: f,
  },
  {
    name: 'chown-existing-parents-untouched',
    why: 'existing parents keep their owner and mode when a COPY --chown writes below them',
    dockerfile: 'FROM {{distro}}\nCOPY --chown=app f.txt /srv/data/new/f\nCOPY --chown=1000 f.txt /tmp/f\n',
    files: f,
  },
  {
    name: 'chown-expanded',
    why: 'real world: ARG/ENV in --chown (ARG UID=1000, COPY --chown=${UID}:${GID})',
    dockerfile: 'FROM {{busybox}}\nARG UID=1000\nENV GID=2000\nCOPY --chown=${UID}:${GID} f.txt /f\nARG USER=app\nCOPY --chown=$USER d /d\n',
    files: f,
  },
  {
    name: 'chmod-file-and-dir',
    why: 'COPY --chmod applies to the files copied (BuildKit)',
    dockerfile: 'FROM {{busybox}}\nCOPY --chmod=0600 f.txt /secret\nCOPY --chmod=755 d /opt/d\nCOPY --chmod=0640 --chown=1000:1000 f.txt /etc/app.conf\n',
    files: f,
  },
  {
    name: 'chmod-created-parents',
    why: 'BuildKit: --chmod sets what is copied (directories of the source too); parents it creates stay 0755',
    dockerfile: 'FROM {{busybox}}\nCOPY --chmod=0700 f.txt /newp/sub/f\nCOPY --chmod=0700 d /cd/\n',
    files: f,
  },
  {
    name: 'setgid-parent-inherited',
    why: 'a directory created under a setgid directory takes its group and setgid bit (kernel semantics BuildKit inherits)',
    dockerfile: 'FROM {{distro}}\nCOPY d /srv/data/newdir/\nCOPY d /srv/data/\nCOPY --chown=5:5 f.txt /srv/data/owned/f\n',
    files: f,
  },
  {
    name: 'chown-unknown-user',
    why: 'BuildKit silently gives root a --chown name missing from /etc/passwd (a typo becomes root-owned files); pipeline refuses it, as the legacy builder did',
    dockerfile: 'FROM {{busybox}}\nCOPY --chown=nosuchuser f.txt /f\n',
    files: f,
    expect: 'pipeline-refuses',
  },
];
