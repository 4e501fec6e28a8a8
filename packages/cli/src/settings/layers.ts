import type { Door, Env, FactName, SettingName } from './names.js';
import { PLUGIN_LAYER, WORKSPACE_LAYER } from './plugin.js';

/** What a table entry read: the text (or items) and the variable or file it came from. */
export interface ReadResult {
  value: string | string[];
  from: string;
}

/** Where a rule may look besides the environment: files relative to the working directory (a `.tags` file). */
export interface ReadContext {
  cwd: string;
}

/** A rule: reads the environment (or a file) and names what it used; `vars` lists the variables it may read. */
export type ReadRule = ((env: Env, ctx: ReadContext) => ReadResult | undefined) & { vars?: readonly string[] };

/** A value read from the environment: one variable, the first that is set of several reads, or a rule. */
export type Read = string | ReadRule | readonly Read[];

/** Explicit settings from one place in the environment, highest first. */
export interface SettingsLayer {
  name: string;
  /** Whether this front door reads the layer at all. */
  applies?: (door: Door) => boolean;
  vars: Partial<Record<SettingName, Read>>;
}

/** Action inputs as the runner passes them: INPUT_ + the name upper-cased, spaces → `_`, hyphens kept. */
export const inputVar = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** The Action's inputs (action.yml): names follow docker/build-push-action where the meaning is the same. */
export const ACTION_INPUTS: Partial<Record<SettingName, string>> = {
  context: 'context',
  file: 'file',
  tags: 'tags',
  labels: 'labels',
  buildArgs: 'build-args',
  target: 'target',
  push: 'push',
  noCache: 'no-cache',
  platform: 'platforms',
  image: 'image',
  config: 'config',
  images: 'images',
  registry: 'registry',
  username: 'username',
  password: 'password',
  deploy: 'deploy',
  workingDirectory: 'working-directory',
  summary: 'summary',
};

/**
 * The explicit layers after flags, in order. A new front door (a CI plugin's settings) is one more
 * table here; nothing else changes.
 */
export const EXPLICIT_LAYERS: SettingsLayer[] = [
  {
    name: 'input',
    applies: (door) => door === 'action',
    vars: Object.fromEntries(Object.entries(ACTION_INPUTS).map(([k, input]) => [k, inputVar(input)])),
  },
  {
    name: 'env',
    vars: {
      registry: 'PIPELINE_REGISTRY',
      namespace: 'PIPELINE_NAMESPACE',
      tags: 'PIPELINE_TAGS',
      images: 'PIPELINE_IMAGES',
      insecure: 'PIPELINE_INSECURE',
      strict: 'PIPELINE_STRICT',
      sha: 'PIPELINE_SHA',
      branch: 'PIPELINE_BRANCH',
      actor: 'PIPELINE_ACTOR',
      runUrl: 'PIPELINE_CI_RUN',
      username: 'PIPELINE_REGISTRY_USERNAME',
      password: 'PIPELINE_REGISTRY_PASSWORD',
      immutableTags: 'PIPELINE_IMMUTABLE_TAGS',
      buildId: 'PIPELINE_BUILD_ID',
    },
  },
  // Drone and Woodpecker pass a step's `settings:` as PLUGIN_<NAME> (plugin.ts), then the step's workspace files.
  PLUGIN_LAYER,
  WORKSPACE_LAYER,
];

/** Reads one table entry: the value (empty counts as unset) and the variable it came from. */
export function readVar(read: Read, env: Env, ctx: ReadContext = { cwd: process.cwd() }): ReadResult | undefined {
  if (typeof read === 'function') return read(env, ctx);
  if (typeof read === 'string') {
    const v = env[read];
    return v !== undefined && v !== '' ? { value: v, from: read } : undefined;
  }
  for (const r of read as readonly Read[]) {
    const hit = readVar(r, env, ctx);
    if (hit) return hit;
  }
  return undefined;
}

/** Every variable a table entry may read (for "did you mean" on a misspelt PLUGIN_* name). */
export function varsOf(read: Read): string[] {
  if (typeof read === 'string') return [read];
  if (typeof read === 'function') return [...(read.vars ?? [])];
  return (read as readonly Read[]).flatMap(varsOf);
}

export type { FactName };

/** Settings whose values are secrets: masked before anything is logged. */
export const SECRET_SETTINGS: SettingName[] = ['password', 'dockerConfig', 'registryLogins'];

/**
 * Every secret this front door may read, straight from the tables (before any resolving can fail
 * and print something): a password wherever it is given, and `user:password` in base64 as Basic
 * auth and Docker's config carry it.
 */
export function secretValues(env: Env, door: Door): string[] {
  const out: string[] = [];
  for (const layer of EXPLICIT_LAYERS) {
    if (layer.applies && !layer.applies(door)) continue;
    for (const name of SECRET_SETTINGS) {
      const read = layer.vars[name];
      const value = read && readVar(read, env)?.value;
      const secret = value === undefined ? undefined : String(value);
      if (!secret) continue;
      out.push(secret);
      const userRead = layer.vars.username;
      const user = userRead && readVar(userRead, env)?.value;
      if (user) out.push(Buffer.from(`${user}:${secret}`).toString('base64'));
    }
  }
  return [...new Set(out)];
}
