// RUN through pipeline's executors (engine: the host engine's containers; chroot: daemonless, root).
// The run-exec work adds its cases here (non-root USER, RUNs that change nothing or delete files).
import type { Case } from '../case.js';

export const run: Case[] = [
  {
    name: 'run-writes-files',
    why: 'reference: RUN executes in a new layer on top of the image; its file changes are the layer',
    dockerfile: 'FROM {{busybox}}\nRUN mkdir -p /opt/app && echo hi > /opt/app/greeting && chmod 0750 /opt/app\n',
    executors: ['engine', 'chroot'],
  },
];
