import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { semverTags, type GitInfo } from '@pipeline/build';
import { CONFIG_FILE, loadConfig, type PipelineConfig } from '../config/index.js';
import { UsageError, quote } from '@pipeline/core';
import { describeSource, resolveFacts, resolveSettings, type Facts, type Settings, type SettingsInput } from '../settings/index.js';
import type { CommandContext } from '../command.js';
import { settingFlags } from '../flags.js';

/** Shared flags of the pipeline-level commands (build without a Dockerfile, plan, test). */
export const PIPELINE_FLAGS = {
  config: { type: 'string' },
  registry: { type: 'string' },
  namespace: { type: 'string' },
  insecure: { type: 'boolean' },
  strict: { type: 'boolean' },
  sha: { type: 'string' },
  branch: { type: 'string' },
  'immutable-tags': { type: 'boolean' },
  'build-id': { type: 'string' },
} as const;

export const PIPELINE_HELP = [
  '    --config FILE          pipeline.yml (default: ./pipeline.yml)',
  '    --registry HOST        registry to push to (else PIPELINE_REGISTRY, PLUGIN_REGISTRY, pipeline.yml, CI_REGISTRY)',
  '    --namespace NS         repository namespace under the registry',
  '    --insecure             allow plain HTTP to the registry',
  '    --strict               warnings (deep chains, unpinned bases) are errors',
  '    --sha SHA              the commit to tag and label with (default: the checkout\'s HEAD, else the CI\'s)',
  '    --branch NAME          the branch for {branch} tags (default: the checkout\'s, else the CI\'s)',
  '    --immutable-tags       version tags of OS/middleware images never move (exit 2 before any push; docs/tags.md)',
  '    --build-id ID          build number for tag-policy.unique {build} (else PIPELINE_BUILD_ID or the CI\'s own)',
];

export const hasConfig = (cwd: string, file?: string) => existsSync(file ? resolve(cwd, file) : join(cwd, CONFIG_FILE));

export interface Session {
  cfg: PipelineConfig;
  settings: Settings;
  facts: Facts;
  git?: GitInfo;
  semver: string[];
}

/** pipeline.yml with the run's settings: strict mode and the file's path are settings too, known before it is read. */
export async function openPipeline(input: SettingsInput, cwd: string, log: { warn(m: string): void }): Promise<Session> {
  const early = resolveSettings(input);
  const cfg = await loadConfig(resolve(cwd, early.config ?? CONFIG_FILE), { strict: early.sources.strict === 'default' ? undefined : early.strict });
  for (const w of cfg.warnings) log.warn(`${w.position.file}:${w.position.line ?? ''}: ${w.message}`);
  const settings = resolveSettings({ ...input, config: cfg });
  const facts = await resolveFacts(input, cfg.dir);
  const git = facts.git;
  return { cfg, settings, facts, git, semver: git && !git.dirty ? semverTags(git.tags) : [] };
}

export function openSession(ctx: CommandContext, images: string[]): Promise<Session> {
  return openPipeline({ flags: settingFlags(ctx.values, images), env: ctx.env, door: 'cli' }, ctx.cwd, ctx.logger);
}

/** Registry settings of a session, when a registry is set anywhere. */
export const registryOf = (s: Session) => (s.settings.registry ? { url: s.settings.registry, namespace: s.settings.namespace, insecure: s.settings.insecure } : undefined);

/** Which images a run works on when chosen (positionals, PIPELINE_IMAGES…), and tags that replace theirs. */
export function selection(s: Session): { only?: string[]; tags?: string[] } {
  const tags = s.settings.tags;
  const full = tags?.find((t) => t.includes('/') || t.includes(':'));
  if (full) throw new UsageError(`Expected bare tags for the images of pipeline.yml (each has its own repository), got ${quote(full)} from ${describeSource(s.settings.sources.tags!)}`, 'e.g. --tag 1.2 or PIPELINE_TAGS=1.2,stable');
  return { only: s.settings.sources.images === 'config' ? undefined : s.settings.images, tags };
}
