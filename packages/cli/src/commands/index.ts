import type { Command } from '../command.js';

/** name → loader; loaded only when run, so `pipeline --help` and small commands start fast. */
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  build: { summary: 'Build an image from a Dockerfile without a daemon', load: async () => (await import('./build.js')).default },
  plan: { summary: 'Show what pipeline build would build from pipeline.yml, and why', load: async () => (await import('./plan.js')).default },
  test: { summary: 'Run the image tests of pipeline.yml (structure, commands, smoke boot)', load: async () => (await import('./test.js')).default },
  init: { summary: 'Write a starter pipeline.yml (and a three-line Dockerfile if there is none)', load: async () => (await import('./init.js')).default },
  lint: { summary: 'Check Dockerfiles for signal handling, layer bloat, secrets and unpinned bases', load: async () => (await import('./lint.js')).default },
};
