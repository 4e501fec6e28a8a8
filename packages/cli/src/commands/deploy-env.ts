import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, DURATION_EXPECTED, durationMs, formatReference, parseReference, UsageError, type Digest, type Logger, type SourcePosition, cut, quote } from '@pipeline/core';
import { checkGitRecord, openRecords, openTarget, resolveSecrets, type DeployEnvironment, type GitRecordResult, type HistoryStore, type PullAuth, type RecordReceipt, type Target } from '@pipeline/deploy';
import { loginFor, resolveCredentials } from '@pipeline/build';
import { logins, resolveFacts, resolveSettings, type Settings } from '../settings/index.js';
import type { CommandContext } from '../command.js';
import { CONFIG_FILE, loadConfig, type PipelineConfig } from '../config/index.js';
import { parseYamlSource, type Path } from '../config/source.js';
import { mean } from '../config/suggest.js';
import { readRecord, type BuildRecord } from '../pipeline/record.js';
import { str } from '../flags.js';

/** Flags every environment command takes. */
export const ENV_FLAGS = { config: { type: 'string' } } as const;
export const ENV_HELP = ['    --config FILE          pipeline.yml (default: ./pipeline.yml)'];

export interface EnvSession {
  cfg: PipelineConfig;
  env: DeployEnvironment;
  /** Where a key of pipeline.yml is, for errors found after loading (unknown environment, nothing pushed). */
  pos(path: Path): SourcePosition;
}

/** Loads pipeline.yml and picks the environment named by the one positional argument (`rest` more allowed before it). */
export async function openEnvironment(ctx: CommandContext, positionals = ctx.positionals): Promise<EnvSession> {
  return loadEnvironment(environmentName(positionals), { cwd: ctx.cwd, config: str(ctx.values.config), logger: ctx.logger });
}

/** The one ENVIRONMENT argument of an environment command. */
export function environmentName(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`Expected one ENVIRONMENT, got ${positionals.length ? cut(positionals.join(' ')) : 'none'}`, 'e.g. pipeline deploy production; the names are the keys of environments: in pipeline.yml');
  return positionals[0];
}

/** The same without a command line: pipeline.yml (default ./pipeline.yml in cwd) and one of its environments. */
export async function loadEnvironment(name: string, o: { cwd: string; config?: string; logger: { warn(m: string): void } }): Promise<EnvSession> {
  const cfg = await loadConfig(resolve(o.cwd, o.config ?? CONFIG_FILE));
  for (const w of cfg.warnings) o.logger.warn(`${w.position.file}:${w.position.line ?? ''}: ${w.message}`);
  let src: ReturnType<typeof parseYamlSource> | undefined;
  const pos = (path: Path) => (src ??= parseYamlSource(readFileSync(cfg.file, 'utf8'), cfg.file)).pos(path, { key: true });
  const env = cfg.environments[name];
  if (!env) {
    const names = Object.keys(cfg.environments);
    throw new ConfigError(
      names.length ? `environments: no environment '${cut(name)}'${mean(name, names)}; defined: ${names.join(', ')}` : `environments: no environment '${cut(name)}': pipeline.yml defines none`,
      pos(names.length ? ['environments'] : []),
      names.length ? undefined : 'add an environments: section, see docs/configuration.md',
    );
  }
  return { cfg, env, pos };
}

/** Who deploys: PIPELINE_ACTOR, else the CI's user, else the git author of HEAD, else the login name (settings/facts.ts). */
export async function actorFor(env: NodeJS.ProcessEnv, dir: string): Promise<string> {
  return (await resolveFacts({ env }, dir)).actor;
}

/** A pushed image of the build record: `registry/repo@sha256:…` (not a local `oci:` copy). */
const pushed = (source: string) => !source.startsWith('oci:') && source.includes('@sha256:');
const repoOf = (ref: string) => {
  const r = parseReference(ref);
  return `${r.registry}/${r.repository}`;
};

/**
 * Which record entry an environment deploys: the one pushed to the environment's `image:` repository,
 * else the image named like its `app:`, else the only pushed image no other image is built from.
 */
export function pickRecorded(cfg: Pick<PipelineConfig, 'images'>, env: DeployEnvironment, record: BuildRecord): { name: string; source: string; revision?: string } | undefined {
  const all = Object.entries(record.images).filter(([, r]) => pushed(r.source)).map(([name, r]) => ({ name, source: r.source, revision: r.revision }));
  if (env.image) {
    const want = repoOf(env.image);
    return all.find((r) => repoOf(r.source) === want);
  }
  if (env.app) {
    const named = all.find((r) => r.name === env.app);
    if (named) return named;
  }
  const bases = new Set(Object.values(cfg.images).flatMap((i) => (i.from?.kind === 'image' ? [i.from.name] : [])));
  const leaves = all.filter((r) => !bases.has(r.name));
  return leaves.length === 1 ? leaves[0] : undefined;
}

/** The image a deploy or diff rolls out: --image, else what the last `pipeline build --push` recorded. */
export async function imageFor(s: EnvSession, flag: string | undefined, env: NodeJS.ProcessEnv): Promise<{ image: string; digest: Digest; sha?: string }> {
  if (flag !== undefined) {
    const ref = parseReference(flag);
    if (!ref.digest) throw new UsageError(`Expected --image REPOSITORY@sha256:<digest>, got ${quote(flag)}`, 'deploys run what was pushed, by digest: pipeline build --push prints it');
    return { image: formatReference(ref), digest: ref.digest, sha: ref.tag && /^[0-9a-f]{7,40}$/.test(ref.tag) ? ref.tag : undefined };
  }
  const rec = pickRecorded(s.cfg, s.env, await readRecord(s.cfg.dir));
  if (!rec) {
    const what = s.env.image ? ` for ${s.env.image}` : '';
    throw new ConfigError(
      `environments.${s.env.name}: no image to deploy: ${join('.pipeline', 'record.json')} holds no pushed digest${what}`,
      s.pos(['environments', s.env.name, ...(s.env.image ? ['image'] : [])]),
      'run pipeline build --push first, or pass --image REPOSITORY@sha256:…',
    );
  }
  const ref = parseReference(rec.source);
  const sha = rec.revision ?? (await resolveFacts({ env }, s.cfg.dir)).git?.sha;
  return { image: rec.source, digest: ref.digest!, sha };
}

/** The repository an environment's containers come from, when one is known without a pushed build (status, history…). */
export async function repositoryFor(s: EnvSession): Promise<string | undefined> {
  if (s.env.image) return s.env.image;
  const rec = pickRecorded(s.cfg, s.env, await readRecord(s.cfg.dir));
  return rec ? repoOf(rec.source) : undefined;
}

/** A target for commands that only read or clean up: needs `app:`, `image:` or a recorded push to name the app. */
export async function targetFor(s: EnvSession, secrets: Record<string, string> = {}, vars?: NodeJS.ProcessEnv): Promise<Target> {
  const repo = await repositoryFor(s);
  if (s.env.target === 'docker' && !s.env.app && !repo) {
    throw new ConfigError(`environments.${s.env.name}: Expected app or image to name the app, got neither`, s.pos(['environments', s.env.name]), 'set app: NAME (or image: REPOSITORY) in the environment');
  }
  return openTarget(s.env, repo, secrets, { vars });
}

export function durationFlag(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = durationMs(v);
  if (ms === undefined) throw new UsageError(`Expected --${flag} to be ${DURATION_EXPECTED}, got ${quote(v)}`);
  return ms;
}

export function intFlag(v: unknown, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= min)) throw new UsageError(`Expected --${flag} N, an integer of at least ${min}, got ${quote(v)}`);
  return n;
}

/** Everything a deploy reads before touching a host: secrets, the GitOps repo. A mistake here is exit 2 with nothing touched. */
export async function preflight(s: EnvSession, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const secrets = resolveSecrets(s.env, { vars: env, cwd: s.cfg.dir });
  const git = s.env.history?.git;
  if (git) {
    await checkGitRecord({ dir: resolve(s.cfg.dir, git.repo) }).catch((e: Error) => {
      throw new ConfigError(`environments.${s.env.name}.${e.message}`, s.pos(['environments', s.env.name, 'history', 'git']), (e as ConfigError).hint);
    });
  }
  return secrets;
}

/** Registry credentials for the hosts' pulls, from the same places a push takes them (the settings' login, else Docker's config). */
export async function pullAuth(image: string, env: NodeJS.ProcessEnv, settings: Settings = resolveSettings({ env })): Promise<PullAuth | undefined> {
  const registry = parseReference(image).registry;
  const c = await resolveCredentials(registry, loginFor(logins(settings, registry), registry), env).catch(() => undefined);
  if (!c) return undefined;
  return 'identityToken' in c ? { identitytoken: c.identityToken, serveraddress: registry } : { username: c.username, password: c.password, serveraddress: registry };
}

/** Ctrl-C / SIGTERM abort the deploy (which releases its lock); a second one exits at once. */
export function interruptible(log: Logger): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const on = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) process.exit(130);
    log.warn(`${sig}: stopping the deploy and releasing the lock (again to quit at once)`);
    ac.abort(new Error(sig));
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return { signal: ac.signal, dispose: () => (process.off('SIGINT', on), process.off('SIGTERM', on)) };
}

/** The extra history stores of an environment (the GitOps record of `history.git`), each written once by the deploy itself. */
export function recordsFor(s: EnvSession, log: Logger): HistoryStore[] {
  return openRecords(s.env, { dir: s.cfg.dir, logger: log });
}

/** The GitOps record's line in a command's human output (none without one). */
export const recordedLines = (record: GitRecordResult | undefined): string[] => (record ? [`  recorded on ${record.branch} (${record.commit.slice(0, 12)})`] : []);

/** The GitOps record among what a deploy's extra stores said (the JSON `record` of deploy and rollback). */
export function gitRecordOf(receipts: RecordReceipt[] | undefined): GitRecordResult | undefined {
  const r = receipts?.find((x) => x.id);
  return r ? { commit: r.id!, branch: r.where, pushed: !!r.pushed } : undefined;
}

/** Runs a deploy-like operation with Ctrl-C handling; its result's GitOps record, as the deploy wrote it. */
export async function recorded<T extends { deployId: string; records: RecordReceipt[] }>(log: Logger, run: (signal: AbortSignal) => Promise<T>): Promise<{ result: T; record?: GitRecordResult }> {
  const stop = interruptible(log);
  try {
    const result = await run(stop.signal);
    return { result, record: gitRecordOf(result.records) };
  } finally {
    stop.dispose();
  }
}
