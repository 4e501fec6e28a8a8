import type { Kind } from './values.js';

/**
 * Every setting a front door (CLI flags, Action inputs, CI plugin settings, env) can give, and how
 * its text is read. Facts about the commit (sha, branch…) are settings too: an explicit value
 * overrides what the checkout and the CI say.
 */
export const KINDS = {
  // What to build (one Dockerfile).
  context: 'string',
  file: 'string',
  target: 'string',
  platform: 'list',
  buildArgs: 'map',
  labels: 'map',
  noCache: 'bool',
  // Where it goes.
  push: 'bool',
  image: 'string',
  tags: 'list',
  registry: 'string',
  namespace: 'string',
  insecure: 'bool',
  username: 'string',
  password: 'string',
  // pipeline.yml.
  config: 'string',
  images: 'list',
  strict: 'bool',
  deploy: 'string',
  // The Action's own.
  workingDirectory: 'string',
  summary: 'bool',
  // The commit and who runs it.
  sha: 'string',
  branch: 'string',
  actor: 'string',
} as const satisfies Record<string, Kind>;

export type SettingName = keyof typeof KINDS;

/** What only the checkout or the CI host knows (never a flag). */
export type FactName = 'sha' | 'branch' | 'tag' | 'actor' | 'defaultBranch' | 'sourceUrl' | 'runUrl' | 'event';

export type Env = Record<string, string | undefined>;

/** Which front door runs: each reads its own explicit layer (flags, INPUT_*, PLUGIN_*). */
export type Door = 'cli' | 'action' | 'plugin';
