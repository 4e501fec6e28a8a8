/**
 * Run settings, resolved in ONE order; the first layer that sets a value wins:
 *
 *   1. flags / Action inputs  what this invocation was told (CLI flags; INPUT_* only in the Action)
 *   2. PIPELINE_* env         PIPELINE_REGISTRY … (layers.ts)
 *   3. CI plugin settings     PLUGIN_* (Drone, Woodpecker)
 *   4. the project            pipeline.yml (registry, lint.strict, images, tag-policy.version-tags); for commit facts the checkout (facts.ts)
 *   5. the CI host            its variables, only when it is the detected host (hosts.ts): GitLab's
 *                             CI_REGISTRY_IMAGE as the default registry/namespace/image; GITHUB_SHA…
 *   6. defaults
 *
 * Env values: empty counts as unset; lists split on commas and newlines; booleans true/false/1/0/yes/no/on/off.
 * docs/configuration.md has the same table.
 */
import { UsageError, addSecret, parseReference, cut, quote } from '@pipeline/core';
import type { PipelineConfig } from '../config/types.js';
import { mean } from '../config/suggest.js';
import { KINDS, type Door, type Env, type SettingName } from './names.js';
import { EXPLICIT_LAYERS, readVar } from './layers.js';
import { detectHost, type HostLogin } from './hosts.js';
import { parseRegistryLogins } from './registry-logins.js';
import { describeSource, jsonItems, parseBool, parsePairs, splitList, splitPairs } from './values.js';

/** Flag values as the CLI parsed them (maps as KEY=VALUE items). */
export type SettingFlags = Partial<{
  [K in SettingName]: (typeof KINDS)[K] extends 'bool' ? boolean : (typeof KINDS)[K] extends 'string' ? string : string[];
}>;

/** How each setting is spelt on the command line, for messages and `sources`. */
export const FLAG_NAMES: Partial<Record<SettingName, string>> = {
  context: '--context', file: '--file', target: '--target', platform: '--platform', buildArgs: '--build-arg', labels: '--label',
  noCache: '--no-cache', executor: '--executor', push: '--push', image: '--image', tags: '--tag', registry: '--registry', namespace: '--namespace',
  insecure: '--insecure', config: '--config', images: 'IMAGE', strict: '--strict', sha: '--sha', branch: '--branch',
  immutableTags: '--immutable-tags', buildId: '--build-id',
};

/** Registry credentials given explicitly (never in pipeline.yml): for `registry`, else the registry pushed to. */
export interface Login {
  registry?: string;
  username: string;
  password: string;
  /** Where username and password came from. */
  from: string;
}

export interface Settings {
  context?: string;
  file?: string;
  target?: string;
  platform?: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  noCache: boolean;
  executor?: Executor;
  /** Set only when asked for (or refused) explicitly; each front door has its default. */
  push?: boolean;
  /** The repository to push to (no tag). */
  image?: string;
  /** Tags that replace the git-derived ones: bare tags, or full references `REGISTRY/REPO:TAG`. */
  tags?: string[];
  /** Also the docker plugins' automatic tags (settings/auto-tags.ts), each with `autoTagSuffix` when set. */
  autoTag: boolean;
  autoTagSuffix?: string;
  registry?: string;
  namespace?: string;
  insecure: boolean;
  login?: Login;
  config?: string;
  /** Images of pipeline.yml to work on, in build order (all of them unless chosen). */
  images: string[];
  strict: boolean;
  /** Version tags of OS/middleware images never move: a run that would move one stops before anything is pushed. */
  immutableTags: boolean;
  /** The CI's build number, for tag-policy.unique's {build}. */
  buildId?: string;
  deploy?: string;
  workingDirectory?: string;
  summary: boolean;
  /** More logins, each for its registry (the CI plugin's docker_config_json and logins: registry-logins.ts). */
  moreLogins: Login[];
  /** Where the CI plugin writes the digest (relative to the workspace), and Drone's card file. */
  digestFile?: string;
  cardPath?: string;
  /** Explicit overrides of the commit facts (facts.ts resolves the rest from the checkout and the CI). */
  sha?: string;
  branch?: string;
  actor?: string;
  /** Where each value came from: `flag:--tag`, `input:tags`, `env:PLUGIN_TAGS`, `config`, `ci:CI_REGISTRY_IMAGE` (the CI's own), `default`. */
  sources: Partial<Record<SettingName, string>>;
}

export interface SettingsInput {
  flags?: SettingFlags;
  env?: Env;
  door?: Door;
  config?: PipelineConfig;
  /** Where relative files a setting names are read (a tags file); default: the process's. */
  cwd?: string;
  /** Files the CI itself writes into the checkout for this step (a `.tags` file): they never make the tree dirty. */
  ciFiles?: string[];
}

type Raw = { value: unknown; source: string };

/** The explicit layers for one setting, highest first: flags, then each env table that applies to this door. */
export function explicitValue(name: SettingName, input: SettingsInput): Raw | undefined {
  const flag = input.flags?.[name];
  if (flag !== undefined && !(Array.isArray(flag) && flag.length === 0)) return { value: flag, source: `flag:${FLAG_NAMES[name] ?? name}` };
  const env = input.env ?? {};
  for (const layer of EXPLICIT_LAYERS) {
    if (layer.applies && !layer.applies(input.door ?? 'cli')) continue;
    const read = layer.vars[name];
    const r = read && readVar(read, env, { cwd: input.cwd ?? process.cwd() });
    if (r) return { value: r.value, source: layer.name === 'input' ? `input:${r.from.slice('INPUT_'.length).toLowerCase()}` : layer.name === 'workspace' ? `file:${r.from}` : `env:${r.from}` };
  }
  return undefined;
}

function configValue(name: SettingName, cfg: PipelineConfig | undefined): unknown {
  if (!cfg) return undefined;
  if (name === 'registry') return cfg.registry?.url;
  if (name === 'namespace') return cfg.registry?.namespace;
  if (name === 'insecure') return cfg.registry?.insecure;
  if (name === 'strict') return cfg.lint.strict;
  if (name === 'immutableTags') return cfg.tagPolicy.versionTags === 'immutable';
  return undefined;
}

/** Text from env or inputs → the setting's type; flags arrive typed (maps as KEY=VALUE items). */
function typed(name: SettingName, raw: Raw, env: Env): unknown {
  const kind = KINDS[name];
  const v = raw.value;
  if (kind === 'bool') return typeof v === 'boolean' ? v : parseBool(raw.source, String(v));
  if (kind === 'list') return Array.isArray(v) ? v.flatMap((x) => splitList(String(x))) : (jsonItems(raw.source, String(v)) ?? splitList(String(v)));
  if (kind === 'map') {
    const items = Array.isArray(v) ? v.map(String) : (jsonItems(raw.source, String(v)) ?? splitPairs(String(v)));
    return name === 'buildArgs' ? parsePairs(raw.source, items, env, { fromEnv: true }) : parsePairs(raw.source, items, env, { keyPattern: /^[^=\s]+$/ });
  }
  return String(v).trim();
}

export function resolveSettings(input: SettingsInput = {}): Settings {
  const env = input.env ?? {};
  const cfg = input.config;
  const host = detectHost(env);
  const sources: Settings['sources'] = {};
  const get = <T>(name: SettingName, dflt?: T): T => {
    let raw = explicitValue(name, input);
    const fromConfig = configValue(name, cfg);
    if (!raw && fromConfig !== undefined) raw = { value: fromConfig, source: 'config' };
    const hostRead = host?.defaults?.[name];
    const fromHost = !raw && hostRead ? readVar(hostRead, env, { cwd: input.cwd ?? process.cwd() }) : undefined;
    if (fromHost) raw = { value: fromHost.value, source: `ci:${fromHost.from}` };
    sources[name] = raw?.source ?? 'default';
    return raw ? (typed(name, raw, env) as T) : (dflt as T);
  };

  const platforms = get<string[] | undefined>('platform');
  if (platforms && platforms.length > 1) throw new UsageError(`Expected one platform, got ${platforms.join(', ')} from ${describeSource(sources.platform!)}`, 'multi-platform images are not built yet: run one build per platform');
  const image = get<string | undefined>('image');
  if (image) {
    parseRepository(image, sources.image!);
    if (image.includes('@') || image.lastIndexOf(':') > image.lastIndexOf('/')) throw new UsageError(`Expected ${describeSource(sources.image!)} to be a repository without a tag, got ${quote(image)}`, 'tags come from git, or from --tag / the tags input');
  }
  const tags = get<string[] | undefined>('tags');
  for (const t of tags ?? []) if (t.includes('/')) parseRepository(t, sources.tags!);

  let images = get<string[] | undefined>('images');
  if (cfg) {
    for (const n of images ?? []) if (!cfg.order.includes(n)) throw new UsageError(`unknown image '${cut(n)}' (from ${describeSource(sources.images!)})${mean(n, cfg.order)}; images: ${cfg.order.join(', ') || '(none)'}`);
    if (!images) sources.images = 'config';
    images = images ? cfg.order.filter((n) => images!.includes(n)) : cfg.order;
  }

  const s: Settings = {
    context: get('context'),
    file: get('file'),
    target: get('target'),
    platform: platforms?.[0],
    buildArgs: get('buildArgs', {}),
    labels: get('labels', {}),
    noCache: get('noCache', false),
    executor: executorOf(get('executor'), sources.executor),
    push: get('push'),
    image,
    tags,
    autoTag: get('autoTag', false),
    autoTagSuffix: get('autoTagSuffix'),
    registry: get('registry'),
    namespace: get('namespace'),
    insecure: get('insecure', false),
    config: get('config'),
    images: images ?? [],
    strict: get('strict', false),
    immutableTags: get('immutableTags', false),
    buildId: get('buildId'),
    deploy: get('deploy'),
    workingDirectory: get('workingDirectory'),
    summary: get('summary', true),
    moreLogins: [],
    digestFile: get('digestFile'),
    cardPath: get('cardPath'),
    sha: get('sha'),
    branch: get('branch'),
    actor: get('actor'),
    sources,
  };
  s.moreLogins = parseRegistryLogins(get('dockerConfig'), get('registryLogins'), sources);
  s.login = login(s, get('username'), get('password')) ?? hostLogin(host?.login?.(env), s.sources);
  return s;
}

/** Given for this run (a flag, an input, PIPELINE_*, PLUGIN_*, the workspace's .tags), not a default of pipeline.yml or the CI. */
export const isExplicit = (source: string | undefined): boolean => !!source && /^(flag|input|env|file):/.test(source);

/** One Dockerfile rather than pipeline.yml's images: a Dockerfile, context, image or full reference was given. */
export function wantsSingleImage(s: Settings): boolean {
  const src = s.sources;
  return isExplicit(src.file) || isExplicit(src.context) || isExplicit(src.image) || (isExplicit(src.tags) && !!s.tags?.some((t) => t.includes('/')));
}

/** The CI's own login (GitLab's job token): only below every explicit one, and only for the CI's registry. */
function hostLogin(l: HostLogin | undefined, sources: Settings['sources']): Login | undefined {
  if (!l) return undefined;
  addSecret(l.password);
  addSecret(Buffer.from(`${l.username}:${l.password}`).toString('base64'));
  sources.username = sources.password = l.from;
  return { ...l };
}

const EXECUTORS = ['native', 'engine', 'chroot'] as const;
export type Executor = (typeof EXECUTORS)[number];

function executorOf(v: string | undefined, source: string | undefined): Executor | undefined {
  if (v === undefined || (EXECUTORS as readonly string[]).includes(v)) return v as Executor | undefined;
  throw new UsageError(`Expected ${describeSource(source!)} to be native, engine or chroot, got ${quote(v)}`, 'native builds without any daemon (no RUN); engine runs RUN through the host Docker socket; chroot runs RUN daemonless, as root');
}

function parseRepository(text: string, source: string) {
  try {
    return parseReference(text);
  } catch (e) {
    throw new UsageError(`Expected ${describeSource(source)} to hold image references, got ${quote(text)}: ${(e as Error).message}`);
  }
}

/** Username and password go together; the password is masked from here on. */
function login(s: Settings, username: string | undefined, password: string | undefined): Login | undefined {
  if (!username && !password) return undefined;
  const src = s.sources;
  if (!username || !password) {
    const [has, lacks] = username ? ['username', 'password'] : ['password', 'username'];
    throw new UsageError(`a registry ${has} is set (${describeSource(src[has as SettingName]!)}) but no ${lacks}`, `give both, e.g. PIPELINE_REGISTRY_USERNAME and PIPELINE_REGISTRY_PASSWORD, or the username and password inputs`);
  }
  addSecret(password);
  addSecret(Buffer.from(`${username}:${password}`).toString('base64'));
  const fullTag = s.tags?.find((t) => t.includes('/'));
  const registry = s.registry ?? (s.image ? parseReference(s.image).registry : fullTag ? parseReference(fullTag).registry : undefined);
  return { registry, username, password, from: src.username === src.password ? src.username! : `${src.username} + ${src.password}` };
}
