import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, quote } from '@pipeline/core';
import { normalizeAuthKey } from '@pipeline/build';
import type { Env } from './names.js';
import type { ReadRule, ReadResult, SettingsLayer } from './layers.js';
import { jsonItems, parseBool, splitList, splitPairs } from './values.js';

/**
 * The CI plugin's settings. Drone and Woodpecker pass a step's `settings:` as PLUGIN_<NAME>: the name
 * upper-cased, `-` and `.` → `_`, lists comma-joined, mappings and lists of mappings as JSON,
 * `from_secret` already resolved. The names are the docker plugins' (drone-plugins/drone-docker,
 * Woodpecker's docker-buildx and kaniko plugins) where the meaning is the same, so a step moves over
 * by changing its `image:`. GitLab jobs set the same PLUGIN_* names as `variables:`.
 */

/** The first of several variables that is set (empty counts as unset, as Drone passes unset settings). */
function first(env: Env, names: readonly string[]): { value: string; from: string } | undefined {
  for (const n of names) if (env[n] !== undefined && env[n] !== '') return { value: env[n]!, from: n };
  return undefined;
}

const rule = (vars: readonly string[], fn: (env: Env, cwd: string) => ReadResult | undefined): ReadRule => Object.assign((env: Env, ctx: { cwd: string }) => fn(env, ctx.cwd), { vars });

/** `https://index.docker.io/v1/`, `https://registry.example.com` → the registry's host, as the docker plugins accept it. */
const registryOf = (env: Env) => {
  const r = first(env, ['PLUGIN_REGISTRY']);
  return r ? { value: normalizeAuthKey(r.value.trim()), from: r.from } : undefined;
};

/** Docker's rule: a first path part with a `.` or `:`, or `localhost`, names a registry. */
const namesRegistry = (repo: string) => {
  const head = repo.split('/')[0];
  return repo.includes('/') && (head.includes('.') || head.includes(':') || head === 'localhost');
};

/**
 * `repo` is where the image goes. drone-docker takes it whole (`registry.example.com/team/app`);
 * kaniko puts it under `registry` (`registry: registry.example.com`, `repo: team/app`): both work.
 */
const repo = rule(['PLUGIN_REPO'], (env) => {
  const r = first(env, ['PLUGIN_REPO']);
  if (!r) return undefined;
  const text = r.value.trim();
  const reg = registryOf(env);
  return reg && !namesRegistry(text) ? { value: `${reg.value}/${text}`, from: `${reg.from}+${r.from}` } : { value: text, from: r.from };
});

/** A tags file: tags separated by commas or newlines (what the docker and kaniko plugins read from `.tags`). */
function tagsFile(file: string, cwd: string, from: string): ReadResult | undefined {
  try {
    return { value: readFileSync(resolve(cwd, file), 'utf8'), from };
  } catch (e) {
    if (from === '.tags' && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`Expected ${from} to name a readable tags file, got ${quote(file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'the path is relative to the workspace; tags are separated by commas or newlines');
  }
}

/** `tags_file` overrides `tags` (as in Woodpecker's buildx plugin); `tag` is drone-docker's other spelling. */
const tags = rule(['PLUGIN_TAGS_FILE', 'PLUGIN_TAGS', 'PLUGIN_TAG'], (env, cwd) => {
  const file = first(env, ['PLUGIN_TAGS_FILE']);
  return file ? tagsFile(file.value.trim(), cwd, file.from) : first(env, ['PLUGIN_TAGS', 'PLUGIN_TAG']);
});

/** `dry_run: true` builds without pushing; false leaves the plugin's default (push when there is a repo). */
const push = rule(['PLUGIN_DRY_RUN', 'PLUGIN_NO_PUSH'], (env) => {
  const r = first(env, ['PLUGIN_DRY_RUN', 'PLUGIN_NO_PUSH']);
  return r && parseBool(`env:${r.from}`, r.value) ? { value: 'false', from: r.from } : undefined;
});

/** `build_args` (KEY=VALUE items, or a mapping as JSON) plus `build_args_from_env` (names whose values come from the step's env). */
const buildArgs = rule(['PLUGIN_BUILD_ARGS', 'PLUGIN_BUILD_ARGS_FROM_ENV'], (env) => {
  const args = first(env, ['PLUGIN_BUILD_ARGS']);
  const names = first(env, ['PLUGIN_BUILD_ARGS_FROM_ENV']);
  if (!args && !names) return undefined;
  const items = args ? (jsonItems(`env:${args.from}`, args.value) ?? splitPairs(args.value)) : [];
  for (const n of names ? (jsonItems(`env:${names.from}`, names.value) ?? splitList(names.value)) : []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new UsageError(`Expected PLUGIN_BUILD_ARGS_FROM_ENV to list variable names, got ${quote(n)}`, 'e.g. build_args_from_env: [HTTP_PROXY, NPM_TOKEN]: each takes its value from the step\'s environment');
    items.push(n);
  }
  return { value: items, from: [args?.from, names?.from].filter(Boolean).join('+') };
});

/** drone-docker's and buildx's `config` is Docker's config.json; here it is pipeline.yml's path, so JSON there is a mistake worth naming. */
const config = rule(['PLUGIN_CONFIG'], (env) => {
  const r = first(env, ['PLUGIN_CONFIG']);
  if (r && /^\s*\{/.test(r.value)) throw new UsageError('Expected PLUGIN_CONFIG to be the path of pipeline.yml, got JSON (Docker\'s config.json, as drone-docker\'s `config` takes it?)', 'give Docker\'s config.json content as docker_config_json (PLUGIN_DOCKER_CONFIG_JSON); config names pipeline.yml');
  return r;
});

export const PLUGIN_LAYER: SettingsLayer = {
  name: 'plugin',
  vars: {
    image: repo,
    registry: rule(['PLUGIN_REGISTRY'], registryOf),
    namespace: 'PLUGIN_NAMESPACE',
    tags,
    autoTag: ['PLUGIN_AUTO_TAG', 'PLUGIN_DEFAULT_TAGS'],
    autoTagSuffix: ['PLUGIN_AUTO_TAG_SUFFIX', 'PLUGIN_DEFAULT_SUFFIX'],
    username: 'PLUGIN_USERNAME',
    password: 'PLUGIN_PASSWORD',
    dockerConfig: 'PLUGIN_DOCKER_CONFIG_JSON',
    registryLogins: 'PLUGIN_LOGINS',
    insecure: 'PLUGIN_INSECURE',
    push,
    file: 'PLUGIN_DOCKERFILE',
    context: 'PLUGIN_CONTEXT',
    target: 'PLUGIN_TARGET',
    buildArgs,
    labels: ['PLUGIN_LABELS', 'PLUGIN_LABEL', 'PLUGIN_CUSTOM_LABELS'],
    platform: ['PLUGIN_PLATFORMS', 'PLUGIN_PLATFORM'],
    noCache: 'PLUGIN_NO_CACHE',
    executor: 'PLUGIN_EXECUTOR',
    config,
    images: 'PLUGIN_IMAGES',
    strict: 'PLUGIN_STRICT',
    immutableTags: 'PLUGIN_IMMUTABLE_TAGS',
    deploy: 'PLUGIN_DEPLOY',
    digestFile: 'PLUGIN_DIGEST_FILE',
  },
};

/** Files the CI (or an earlier step) writes into the checkout for this step: never a change to the commit. */
export const ciFiles = (env: Env): string[] => ['.tags', ...(env.PLUGIN_TAGS_FILE ? [env.PLUGIN_TAGS_FILE.trim()] : [])];

/** The step's workspace: a `.tags` file a previous step wrote, as the docker and kaniko plugins read it (below every setting). */
export const WORKSPACE_LAYER: SettingsLayer = {
  name: 'workspace',
  applies: (door) => door === 'plugin',
  vars: { tags: rule([], (_env, cwd) => tagsFile('.tags', cwd, '.tags')) },
};

/**
 * Settings of the docker plugins that have no meaning here (they configure a Docker daemon, BuildKit or
 * a feature this plugin leaves to others): accepted with a warning that says why, so a moved step runs.
 */
export const PLUGIN_IGNORED: Record<string, string> = {
  PLUGIN_MIRROR: 'no Docker daemon runs here',
  PLUGIN_STORAGE_DRIVER: 'no Docker daemon runs here',
  PLUGIN_STORAGE_PATH: 'no Docker daemon runs here',
  PLUGIN_BIP: 'no Docker daemon runs here',
  PLUGIN_MTU: 'no Docker daemon runs here',
  PLUGIN_CUSTOM_DNS: 'no Docker daemon runs here',
  PLUGIN_CUSTOM_DNS_SEARCH: 'no Docker daemon runs here',
  PLUGIN_IPV6: 'no Docker daemon runs here',
  PLUGIN_EXPERIMENTAL: 'no Docker daemon runs here',
  PLUGIN_DEBUG: 'no Docker daemon runs here',
  PLUGIN_DAEMON_OFF: 'no Docker daemon runs here',
  PLUGIN_PURGE: 'no Docker daemon runs here: nothing is left to clean up',
  PLUGIN_BUILDKIT_CONFIG: 'no BuildKit runs here',
  PLUGIN_BUILDKIT_DEBUG: 'no BuildKit runs here',
  PLUGIN_BUILDKIT_DRIVEROPT: 'no BuildKit runs here',
  PLUGIN_SQUASH: 'layers are kept: unchanged ones are reused from the registry',
  PLUGIN_COMPRESS: 'the context is read in place, never sent to a daemon',
  PLUGIN_PULL_IMAGE: 'bases are resolved from the registry on every build (pinned by digest)',
  PLUGIN_CACHE_FROM: 'layers the registry has are never rebuilt or re-sent',
  PLUGIN_CACHE_TO: 'layers the registry has are never rebuilt or re-sent',
  PLUGIN_CACHE_IMAGES: 'layers the registry has are never rebuilt or re-sent',
  PLUGIN_QUIET: 'the log is one line per step already',
  PLUGIN_AUTO_LABEL: 'the OCI revision/source/created labels are always set from git',
  PLUGIN_DEFAULT_LABELS: 'the OCI revision/source/created labels are always set from git',
  PLUGIN_EMAIL: 'registries ignore a login e-mail',
  PLUGIN_ADD_HOST: 'RUN steps use the host network of their executor',
  PLUGIN_SECRET: 'build secrets (RUN --mount=type=secret) are not supported',
  PLUGIN_SECRETS: 'build secrets (RUN --mount=type=secret) are not supported',
  PLUGIN_SECRETS_FROM_ENV: 'build secrets (RUN --mount=type=secret) are not supported',
  PLUGIN_SECRETS_FROM_FILE: 'build secrets (RUN --mount=type=secret) are not supported',
  PLUGIN_SSH_AGENT_KEY: 'RUN --mount=type=ssh is not supported',
  PLUGIN_ARTIFACT_FILE: 'the digest is written to digest_file (default .pipeline/digest)',
};
