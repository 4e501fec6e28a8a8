// The docker client the suite drives. Builds go through the engine's own BuildKit (Docker's builder
// since 23.0; the legacy builder lacks --chmod and differs on --chown and ADD): Debian's docker.io
// client, which test/services/packages installs with dockerd, runs it with DOCKER_BUILDKIT=1 without
// the buildx plugin (a newer client elsewhere on PATH would need buildx and fall back to legacy).
import { existsSync } from 'node:fs';
import { execa, type Options } from 'execa';

const DEBIAN_CLIENT = '/usr/bin/docker';

export const dockerClient = (): string => {
  if (!existsSync(DEBIAN_CLIENT)) throw new Error(`${DEBIAN_CLIENT} (Debian's docker.io client) is missing: run test/services/start`);
  return DEBIAN_CLIENT;
};

/** Runs the docker client with BuildKit on; 10 minutes at most per call. */
export function docker(args: string[], opts: Options = {}) {
  return execa(dockerClient(), args, { timeout: 600_000, ...opts, env: { DOCKER_BUILDKIT: '1', BUILDKIT_PROGRESS: 'plain', ...(opts.env ?? {}) } });
}
