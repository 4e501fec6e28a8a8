import type { SourcePosition } from '@pipeline/core';
import type { Ctx } from '../kit.js';
import { obj } from '../kit.js';
import type { Path } from '../source.js';

/** What @pipeline/deploy's parseDeployConfig will take: positions for any path inside `environments:`. */
export type PositionOf = (path: Path) => SourcePosition;

/**
 * `environments:` – each environment must be a mapping; its contents belong to @pipeline/deploy.
 * Until parseDeployConfig exists only the shape is checked here.
 */
export function parseEnvironments(ctx: Ctx, raw: unknown): Record<string, Record<string, unknown>> {
  if (raw === undefined || raw === null) return {};
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, v] of Object.entries(obj(ctx, ['environments'], raw))) out[name] = obj(ctx, ['environments', name], v);
  // HOOK(parseDeployConfig): replace the line below with
  //   return parseDeployConfig(raw, (p) => ctx.src.pos(['environments', ...p]));
  // and change PipelineConfig.environments to DeployEnvironments (import type from @pipeline/deploy).
  const at: PositionOf = (p) => ctx.src.pos(['environments', ...p]);
  void at;
  return out;
}
