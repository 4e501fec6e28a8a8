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
  /** How RUN steps run: native (none: no daemon), engine (the host's Docker socket), chroot (as root, daemonless). */
  executor: 'string',
  // Where it goes.
  push: 'bool',
  image: 'string',
  tags: 'list',
  /** Add the docker plugins' automatic tags (semver of a tag push, `latest` on the default branch). */
  autoTag: 'bool',
  autoTagSuffix: 'string',
  registry: 'string',
  namespace: 'string',
  insecure: 'bool',
  username: 'string',
  password: 'string',
  /** More registry logins, for the CI plugin: Docker's config.json content, and a JSON list of {registry, username, password}. */
  dockerConfig: 'string',
  registryLogins: 'string',
  // pipeline.yml.
  config: 'string',
  images: 'list',
  strict: 'bool',
  /** Version tags of OS/middleware images never move (tag-policy.version-tags: immutable; docs/tags.md). */
  immutableTags: 'bool',
  /** The CI's build number, for tag-policy.unique's {build}. */
  buildId: 'string',
  deploy: 'string',
  // The Action's own.
  workingDirectory: 'string',
  summary: 'bool',
  // Where the CI plugin leaves its results: the digest for the next step, Drone's card.
  digestFile: 'string',
  cardPath: 'string',
  // The commit and who runs it.
  sha: 'string',
  branch: 'string',
  actor: 'string',
  /** A link to the CI run (kept in deploy records); a known CI's own variable otherwise. */
  runUrl: 'string',
} as const satisfies Record<string, Kind>;

export type SettingName = keyof typeof KINDS;

/** What only the checkout or the CI host knows (never a flag). */
export type FactName = 'sha' | 'branch' | 'tag' | 'actor' | 'defaultBranch' | 'sourceUrl' | 'runUrl' | 'event';

export type Env = Record<string, string | undefined>;

/** Which front door runs: each reads its own explicit layer (flags, INPUT_*, PLUGIN_*). */
export type Door = 'cli' | 'action' | 'plugin';
