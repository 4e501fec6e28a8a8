import type { Command } from '../command.js';

/** name → loader; loaded only when run, so `pipeline --help` and small commands start fast. */
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  build: { summary: 'Build an image from a Dockerfile without a daemon', load: async () => (await import('./build.js')).default },
  plan: { summary: 'Show what pipeline build would build from pipeline.yml, and why', load: async () => (await import('./plan.js')).default },
  test: { summary: 'Run the image tests of pipeline.yml (structure, commands, smoke boot)', load: async () => (await import('./test.js')).default },
  init: { summary: 'Write a starter pipeline.yml (and a three-line Dockerfile if there is none)', load: async () => (await import('./init.js')).default },
  deploy: { summary: 'Roll the pushed image onto an environment (Docker hosts or a Swarm); everything rolls back if a probe fails', load: async () => (await import('./deploy.js')).default },
  diff: { summary: 'What a deploy would change: image digests, env keys, replicas, ports', load: async () => (await import('./diff.js')).default },
  status: { summary: 'Per host, per container: digest, git SHA, health, uptime, lock', load: async () => (await import('./status.js')).default },
  rollback: { summary: 'Go back to the previous version (or --to SHA|DIGEST), as safely as a deploy', load: async () => (await import('./rollback.js')).default },
  history: { summary: 'Who deployed what, when, with which result (from the hosts or the Swarm)', load: async () => (await import('./history.js')).default },
  lock: { summary: 'Show or release the deploy lock of an environment', load: async () => (await import('./lock.js')).default },
  prune: { summary: 'Remove what old versions left (containers and images on hosts; a Swarm\'s unused secrets), keeping the last N versions', load: async () => (await import('./prune.js')).default },
  doctor: { summary: 'Check what a first run needs: git, pipeline.yml, registries and logins, clock, engine, hosts, TLS', load: async () => (await import('./doctor.js')).default },
  plugin: { summary: 'Run as a Drone, Woodpecker or GitLab CI step (the plugin image\'s entrypoint)', load: async () => (await import('./plugin.js')).default },
  lint: { summary: 'Check Dockerfiles for signal handling, layer bloat, secrets and unpinned bases', load: async () => (await import('./lint.js')).default },
};
