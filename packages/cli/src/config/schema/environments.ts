import { ConfigError, isConfigError } from '@pipeline/core';
import { parseDeployConfig, type DeployEnvironments } from '@pipeline/deploy';
import type { Ctx } from '../kit.js';
import { obj } from '../kit.js';

/**
 * `environments:` – validated by @pipeline/deploy, positioned in pipeline.yml. The deploy parser
 * already puts `environments` in front of the paths it asks positions for; its messages start below
 * it, so they get the prefix here to read like every other pipeline.yml error (`environments.prod.hosts[0]: …`).
 */
export function parseEnvironments(ctx: Ctx, raw: unknown): DeployEnvironments {
  if (raw === undefined || raw === null) return {};
  obj(ctx, ['environments'], raw);
  try {
    return parseDeployConfig(raw, (p) => ctx.src.pos(p));
  } catch (e) {
    if (isConfigError(e)) throw new ConfigError(`environments.${e.message}`, e.position, e.hint);
    throw e;
  }
}
