import type { Digest } from '@pipeline/core';
import type { DeployEnvironment } from '../config/types.js';
import type { DeployDiff } from '../model/diff.js';
import type { Target } from '../model/target.js';

export type { DeployDiff };

/** What a deploy of `digest` with `env`'s settings would change, without values (env is the target's own when its kind matches). */
export function diff(target: Target, env: DeployEnvironment, digest: Digest, sha?: string): Promise<DeployDiff> {
  return target.diff(digest, env, sha);
}
