import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readGitInfo, semverTags, type GitInfo } from '@pipeline/build';
import { CONFIG_FILE, loadConfig, resolveSettings, type PipelineConfig, type Settings } from '../config/index.js';
import type { CommandContext } from '../command.js';
import { list, str } from '../flags.js';

/** Shared flags of the pipeline-level commands (build without a Dockerfile, plan, test). */
export const PIPELINE_FLAGS = {
  config: { type: 'string' },
  registry: { type: 'string' },
  namespace: { type: 'string' },
  insecure: { type: 'boolean' },
  strict: { type: 'boolean' },
} as const;

export const PIPELINE_HELP = [
  '    --config FILE          pipeline.yml (default: ./pipeline.yml)',
  '    --registry HOST        registry to push to (else PIPELINE_REGISTRY, PLUGIN_REGISTRY, CI_REGISTRY, pipeline.yml)',
  '    --namespace NS         repository namespace under the registry',
  '    --insecure             allow plain HTTP to the registry',
  '    --strict               warnings (deep chains, unpinned bases) are errors',
];

export const hasConfig = (cwd: string, file?: string) => existsSync(file ?? join(cwd, CONFIG_FILE));

export interface Session {
  cfg: PipelineConfig;
  settings: Settings;
  git?: GitInfo;
  semver: string[];
}

export async function openSession(ctx: CommandContext, images: string[]): Promise<Session> {
  const v = ctx.values;
  const cfg = await loadConfig(str(v.config) ?? join(ctx.cwd, CONFIG_FILE), { strict: !!v.strict });
  for (const w of cfg.warnings) ctx.logger.warn(`${w.position.file}:${w.position.line ?? ''}: ${w.message}`);
  const settings = resolveSettings({ flags: { registry: str(v.registry), namespace: str(v.namespace), insecure: v.insecure === true ? true : undefined, strict: v.strict === true ? true : undefined, images: images.length ? images : undefined, tags: list(v.tag).length ? list(v.tag) : undefined }, env: ctx.env, config: cfg });
  const git = await readGitInfo(cfg.dir, ctx.env);
  return { cfg, settings, git, semver: git && !git.dirty ? semverTags(git.tags) : [] };
}
