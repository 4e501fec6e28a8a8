/**
 * Run settings, resolved in ONE order; the first layer that sets a value wins:
 *
 *   1. flags                  --registry --namespace --tag --image --insecure --strict --sha --branch
 *   2. PIPELINE_* env         PIPELINE_REGISTRY, PIPELINE_NAMESPACE, PIPELINE_TAGS, PIPELINE_IMAGES,
 *                             PIPELINE_INSECURE, PIPELINE_STRICT, PIPELINE_SHA, PIPELINE_BRANCH
 *   3. CI plugin env          Drone/Woodpecker `settings:` as PLUGIN_REGISTRY, PLUGIN_NAMESPACE, PLUGIN_TAGS,
 *                             PLUGIN_IMAGES, PLUGIN_INSECURE, PLUGIN_STRICT; DRONE_COMMIT_SHA, DRONE_BRANCH
 *   4. CI defaults            GitLab (and Woodpecker, same names): CI_REGISTRY, CI_REGISTRY_IMAGE
 *                             (registry + namespace), CI_COMMIT_SHA, CI_COMMIT_BRANCH / CI_COMMIT_REF_NAME;
 *                             GitHub: GITHUB_SHA, GITHUB_REF_NAME
 *   5. pipeline.yml           registry.url, registry.namespace, registry.insecure, lint.strict, images (all)
 *   6. defaults               insecure false, strict false, every image in build order, each image's own tags
 *
 * Lists in env are comma-separated (PLUGIN_TAGS=a,b is how Drone passes a list); empty values count as unset.
 * Credentials are not settings: they come from env or the docker config, never from pipeline.yml.
 * docs/configuration.md has the same table.
 */
import { UsageError } from '@pipeline/core';
import type { PipelineConfig } from './types.js';
import { mean } from './suggest.js';

export interface SettingFlags {
  registry?: string;
  namespace?: string;
  tags?: string[];
  images?: string[];
  insecure?: boolean;
  strict?: boolean;
  sha?: string;
  branch?: string;
}

export type SettingName = keyof SettingFlags;

export interface Settings {
  registry?: string;
  namespace?: string;
  /** Set only when flags or env override every target image's own `tags:`. */
  tags?: string[];
  /** Images to work on, in build order. */
  images: string[];
  insecure: boolean;
  strict: boolean;
  sha?: string;
  branch?: string;
  /** Where each value came from: `flag`, `env:PLUGIN_TAGS`, `config`, `default`… */
  sources: Record<SettingName, string>;
}

type Env = Record<string, string | undefined>;
type Candidate<T> = [source: string, value: T | undefined];

const first = <T>(cands: Candidate<T>[], dflt: Candidate<T>): [string, T | undefined] => cands.find(([, v]) => v !== undefined) ?? dflt;

function envCands(env: Env, names: string[]): Candidate<string>[] {
  return names.map((n) => [`env:${n}`, env[n] === '' ? undefined : env[n]]);
}

const splitList = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);

function parseBool(source: string, v: string): boolean {
  if (/^(true|1|yes|on)$/i.test(v)) return true;
  if (/^(false|0|no|off)$/i.test(v)) return false;
  throw new UsageError(`Expected ${source.replace(/^env:/, '')} to be true or false, got '${v}'`);
}

/** CI_REGISTRY_IMAGE is `registry/group/project`: the registry part and the rest. */
function splitImage(ref: string | undefined): { registry?: string; namespace?: string } {
  if (!ref) return {};
  const i = ref.indexOf('/');
  return i < 0 ? { registry: ref } : { registry: ref.slice(0, i), namespace: ref.slice(i + 1) };
}

export function resolveSettings(input: { flags?: SettingFlags; env?: Env; config?: PipelineConfig } = {}): Settings {
  const flags = input.flags ?? {};
  const env = input.env ?? {};
  const cfg = input.config;
  const gl = splitImage(env.CI_REGISTRY_IMAGE || undefined);
  const sources = {} as Record<SettingName, string>;
  const str = (name: SettingName, envNames: string[], ci: Candidate<string>[], config?: string): string | undefined => {
    const [src, v] = first<string>([['flag', flags[name] as string | undefined], ...envCands(env, envNames), ...ci, ['config', config]], ['default', undefined]);
    sources[name] = src;
    return v;
  };
  const bool = (name: 'insecure' | 'strict', envNames: string[], config?: boolean): boolean => {
    const fromEnv = envCands(env, envNames).find(([, v]) => v !== undefined);
    const [src, v] = first<boolean>([['flag', flags[name]], ...(fromEnv ? [[fromEnv[0], parseBool(fromEnv[0], fromEnv[1]!)] as Candidate<boolean>] : []), ['config', config]], ['default', false]);
    sources[name] = src;
    return v!;
  };
  const list = (name: 'tags' | 'images', envNames: string[]): string[] | undefined => {
    const [src, v] = first<string[]>([['flag', flags[name]?.length ? flags[name] : undefined], ...envCands(env, envNames).map(([s, v]): Candidate<string[]> => [s, v === undefined ? undefined : splitList(v)])], ['default', undefined]);
    sources[name] = src;
    return v;
  };

  const registry = str('registry', ['PIPELINE_REGISTRY', 'PLUGIN_REGISTRY'], [['env:CI_REGISTRY', env.CI_REGISTRY || gl.registry]], cfg?.registry?.url);
  const namespace = str('namespace', ['PIPELINE_NAMESPACE', 'PLUGIN_NAMESPACE'], [['env:CI_REGISTRY_IMAGE', gl.namespace]], cfg?.registry?.namespace);
  const tags = list('tags', ['PIPELINE_TAGS', 'PLUGIN_TAGS']);
  let images = list('images', ['PIPELINE_IMAGES', 'PLUGIN_IMAGES']);
  if (images === undefined && cfg) sources.images = 'config';
  if (cfg) {
    const known = cfg.order;
    for (const n of images ?? []) if (!known.includes(n)) throw new UsageError(`unknown image '${n}' (from ${sources.images})${mean(n, known)}; images: ${known.join(', ') || '(none)'}`);
    images = images ? known.filter((n) => images!.includes(n)) : known;
  }
  return {
    registry,
    namespace,
    tags,
    images: images ?? [],
    insecure: bool('insecure', ['PIPELINE_INSECURE', 'PLUGIN_INSECURE'], cfg?.registry?.insecure),
    strict: bool('strict', ['PIPELINE_STRICT', 'PLUGIN_STRICT'], cfg?.lint.strict),
    sha: str('sha', ['PIPELINE_SHA', 'DRONE_COMMIT_SHA'], [['env:CI_COMMIT_SHA', env.CI_COMMIT_SHA || undefined], ['env:GITHUB_SHA', env.GITHUB_SHA || undefined]]),
    branch: str('branch', ['PIPELINE_BRANCH', 'DRONE_BRANCH'], [['env:CI_COMMIT_BRANCH', env.CI_COMMIT_BRANCH || undefined], ['env:CI_COMMIT_REF_NAME', env.CI_COMMIT_REF_NAME || undefined], ['env:GITHUB_REF_NAME', env.GITHUB_REF_NAME || undefined]]),
    sources,
  };
}
