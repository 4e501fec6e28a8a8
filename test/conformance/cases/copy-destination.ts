// COPY/ADD destination rules (Dockerfile reference, "COPY": "If <dest> doesn't end with a trailing
// slash, it will be considered a regular file…"; relative to WORKDIR; several sources need a directory).
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
]
