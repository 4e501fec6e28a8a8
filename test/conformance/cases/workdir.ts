// WORKDIR (reference: "If the WORKDIR doesn't exist, it will be created"; relative paths are relative
// to the previous WORKDIR; environment variables are expanded).
import type { Case } from '../case.js';

export const workdir: Case[] = [
  {
    name: 'workdir-created',
    why: 'reference: WORKDIR creates the directory even if no later instruction uses it',
    dockerfile: 'FROM {{busybox}}\nWORKDIR /srv/app/data\n',
  },
  {
    name: 'workdir-chain',
    // An absolute WORKDIR is written as clean as Docker's current builder records it (NormalizeWorkdir):
    // the engine's BuildKit 0.8 kept `/x/./y/` verbatim in the config, a quirk BuildKit dropped.
    why: 'reference: WORKDIR /a, WORKDIR b, WORKDIR c gives /a/b/c; .. and an absolute path reset it',
    dockerfile: 'FROM {{busybox}}\nWORKDIR /a\nWORKDIR b\nWORKDIR c\nWORKDIR ../d\nWORKDIR /x/y\n',
  },
  {
    name: 'workdir-expansion',
    why: 'reference: WORKDIR expands variables set by ENV (and ARG)',
    dockerfile: 'FROM {{busybox}}\nENV DIRPATH=/path\nWORKDIR $DIRPATH/$DIRNAME\nARG SUB=sub\nWORKDIR ${SUB}\n',
  },
  {
    name: 'workdir-existing',
    why: 'WORKDIR on an existing directory of the base keeps its mode and owner (distro /home/app 0750 1001:1001)',
    dockerfile: 'FROM {{distro}}\nWORKDIR /home/app\nWORKDIR /tmp\nWORKDIR /var/lib/private\n',
  },
  {
    name: 'workdir-as-user',
    why: 'BuildKit creates WORKDIR as USER (by name through /etc/passwd, or by id)',
    dockerfile: 'FROM {{distro}}\nUSER app\nWORKDIR /srv/app\nUSER 1500:1002\nWORKDIR /srv/svc/data\nUSER root\nWORKDIR /srv/root\n',
  },
  {
    name: 'workdir-through-link',
    why: 'WORKDIR below a symlinked directory of a merged-/usr distro creates it through the link',
    dockerfile: 'FROM {{distro}}\nWORKDIR /lib/app\nCOPY f .\n',
    files: { f: 'f\n' },
  },
  {
    name: 'workdir-then-copy-dot-slash',
    why: 'real world: WORKDIR /app, COPY --chown=app:app . ./ (distro)',
    dockerfile: 'FROM {{distro}}\nWORKDIR /app\nCOPY --chown=app:app . ./\nUSER app\n',
    files: { 'main.py': 'print(1)\n', 'requirements.txt': 'flask\n' },
  },
  {
    name: 'workdir-inherited',
    why: 'a stage FROM another stage inherits its WORKDIR; relative COPY lands there',
    dockerfile: 'FROM {{busybox}} AS base\nWORKDIR /app\nFROM base\nCOPY f .\nWORKDIR sub\nCOPY f ./g\n',
    files: { f: 'f\n' },
  },
];
