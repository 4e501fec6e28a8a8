import type { Door, Env, FactName, SettingName } from './names.js';

/** A value read from the environment: one variable, the first set of several, or a rule that names the variable it used. */
export type Read = string | string[] | ((env: Env) => { value: string; from: string } | undefined);

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
      username: 'PIPELINE_REGISTRY_USERNAME',
      password: 'PIPELINE_REGISTRY_PASSWORD',
    },
  },
  {
    // Drone and Woodpecker pass a step's `settings:` as PLUGIN_<NAME>.
    name: 'plugin',
    vars: {
      registry: 'PLUGIN_REGISTRY',
      namespace: 'PLUGIN_NAMESPACE',
      tags: 'PLUGIN_TAGS',
      images: 'PLUGIN_IMAGES',
      insecure: 'PLUGIN_INSECURE',
      strict: 'PLUGIN_STRICT',
    },
  },
];

/** Reads one table entry: the value (empty counts as unset) and the variable it came from. */
export function readVar(read: Read, env: Env): { value: string; from: string } | undefined {
  if (typeof read === 'function') return read(env);
  for (const name of typeof read === 'string' ? [read] : read) {
    const v = env[name];
    if (v !== undefined && v !== '') return { value: v, from: name };
  }
  return undefined;
}

export type { FactName };

/** Settings whose values are secrets: masked before anything is logged. */
export const SECRET_SETTINGS: SettingName[] = ['password'];

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
      const secret = read && readVar(read, env)?.value;
      if (!secret) continue;
      out.push(secret);
      const userRead = layer.vars.username;
      const user = userRead && readVar(userRead, env)?.value;
      if (user) out.push(Buffer.from(`${user}:${secret}`).toString('base64'));
    }
  }
  return [...new Set(out)];
}
