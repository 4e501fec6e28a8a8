import { Checker, type At, type Path } from './check.js';
import { NAME } from './common.js';
import { parseDockerEnvironment } from './docker.js';
import { parseSwarmEnvironment } from './swarm.js';
import { parseGitopsEnvironment } from './gitops.js';
import type { DeployEnvironment, DeployEnvironments } from './types.js';

/** The target kinds and their parsers: the one place an environment is created from pipeline.yml. */
const KINDS: Record<DeployEnvironment['target'], (c: Checker, name: string, raw: unknown) => DeployEnvironment> = {
  docker: parseDockerEnvironment,
  swarm: parseSwarmEnvironment,
  gitops: parseGitopsEnvironment,
};

/** Validates the `environments:` mapping of pipeline.yml; `at` maps a key path (below `environments`) to its position. */
export function parseDeployConfig(raw: unknown, at: At): DeployEnvironments {
  const c = new Checker((p) => at(['environments', ...p]));
  const envs = c.object(raw, []);
  const out: DeployEnvironments = {};
  for (const [name, value] of Object.entries(envs)) {
    if (!NAME.test(name) || name.length > 64) c.fail([name], 'an environment name of at most 64 lowercase letters, digits, ., _ and -', name);
    out[name] = parseEnvironment(c, name, value);
  }
  return out;
}

/** `target:` picks the kind (default docker); that kind's parser checks every other key. */
function parseEnvironment(c: Checker, name: string, raw: unknown): DeployEnvironment {
  const p: Path = [name];
  const o = c.object(raw, p);
  const kind = o.target === undefined ? 'docker' : c.oneOf(o.target, [...p, 'target'], Object.keys(KINDS) as DeployEnvironment['target'][]);
  return KINDS[kind](c, name, raw);
}
