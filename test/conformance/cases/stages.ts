// Multi-stage builds: COPY --from a stage (by name and index) or an image, --target, FROM a stage.
import type { Case } from '../case.js';

export const stages: Case[] = [
  {
    name: 'copy-from-stage-keeps-owners',
    why: 'COPY --from copies the stage\'s files with their owners and modes unless --chown',
    dockerfile: [
      'FROM {{busybox}} AS build',
      'COPY --chown=1000:1000 f /out/f',
      'COPY --chmod=0600 f /out/secret',
      'COPY d /out/d',
      'FROM {{busybox}}',
      'COPY --from=build /out /app',
      'COPY --from=0 /out/f /single',
      'COPY --from=build --chown=5:5 /out/d /chowned',
      '',
    ].join('\n'),
    files: { f: 'f\n', 'd/x': { content: 'x\n', mode: 0o700 }, 'd/sub/': { dir: true, mode: 0o750 } },
  },
  {
    name: 'copy-from-image',
    why: 'reference: COPY --from=<image> copies from an image that is not a stage',
    dockerfile: 'FROM scratch\nCOPY --from={{busybox}} /bin/busybox /bin/busybox\nCOPY --from={{busybox}} /etc/passwd /etc/group /etc/\n',
  },
  {
    name: 'copy-from-stage-symlinks',
    why: 'symlinks in a stage are copied as links; a link named as the source is followed',
    dockerfile: 'FROM {{busybox}} AS build\nCOPY app /app\nFROM {{busybox}}\nCOPY --from=build /app /app\nCOPY --from=build /app/cur /cur\n',
    files: { 'app/v1': 'v1\n', 'app/cur': { symlink: 'v1' } },
  },
  {
    name: 'copy-from-stage-through-link',
    why: 'COPY --from a source path that goes through a symlinked directory of a merged-/usr stage',
    dockerfile: 'FROM {{distro}} AS build\nCOPY lib.so /usr/lib/app/lib.so\nFROM {{busybox}}\nCOPY --from=build /lib/app/ /opt/lib/\n',
    files: { 'lib.so': 'so\n' },
  },
  {
    name: 'copy-from-stage-wildcard',
    why: 'wildcards in COPY --from sources',
    dockerfile: 'FROM {{busybox}} AS build\nCOPY . /src/\nFROM {{busybox}}\nCOPY --from=build /src/*.js /app/\n',
    files: { 'a.js': 'a\n', 'b.js': 'b\n', 'c.css': 'c\n' },
  },
  {
    name: 'target-stage',
    why: 'reference: --target builds a stage that is not the last one',
    dockerfile: 'FROM {{busybox}} AS dev\nENV MODE=dev\nCOPY f /dev-only\nFROM {{busybox}} AS prod\nENV MODE=prod\n',
    files: { f: 'f\n' },
    target: 'dev',
  },
  {
    name: 'from-stage-inherits',
    why: 'a stage FROM another stage inherits its filesystem and config',
    dockerfile: 'FROM {{busybox}} AS base\nENV A=1\nUSER 1000\nEXPOSE 80\nCOPY f /base-f\nFROM base AS app\nENV B=2\nCOPY f /app-f\n',
    files: { f: 'f\n' },
  },
  {
    name: 'node-style-multistage',
    why: 'real world: a build stage with the sources, a runtime stage with only the output, non-root user',
    dockerfile: [
      'ARG NODE_BASE={{busybox}}',
      'FROM ${NODE_BASE} AS deps',
      'WORKDIR /app',
      'COPY package.json package-lock.json* ./',
      'FROM deps AS build',
      'COPY . .',
      'FROM ${NODE_BASE} AS runtime',
      'ENV NODE_ENV=production',
      'WORKDIR /app',
      'COPY --from=deps --chown=1000:1000 /app/package.json ./',
      'COPY --from=build --chown=1000:1000 /app/src ./src',
      'USER 1000',
      'EXPOSE 3000',
      'CMD ["node", "src/server.js"]',
      '',
    ].join('\n'),
    files: { 'package.json': '{}\n', 'src/server.js': 'listen()\n', 'test/t.js': 't\n' },
  },
];
