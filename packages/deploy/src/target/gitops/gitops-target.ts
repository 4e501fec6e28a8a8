import { ConfigError, familiarName, parseReference, type Digest } from '@pipeline/core';
import type { DeployEnvironment, GitopsEnvironment } from '../../config/types.js';
import type { DeployDiff } from '../../model/diff.js';
import type { Instance } from '../../model/instance.js';
import type { EnvironmentStatus, InstanceStatus } from '../../model/status.js';
import type { Desired, PruneResult, RollbackOutcome, RolloutOutcome, RolloutPlan, RunOptions, Target, Version } from '../../model/target.js';
import { summarize } from '../../state/status.js';
import { commitVersion, revertCommit, revertFailed, type CommitContext, type Committed } from './commit.js';
import { ManifestFiles, planEdits, readEdits, writeChanges } from './edits/plan.js';
import { editName } from './edits/types.js';
import { ManifestRepo } from './git/repo.js';
import { sameRepository, shaOfTag, type DesiredImage } from './image.js';
import { GitopsStore } from './store.js';
import { httpCheck } from './verify/http.js';
import { verifyRollout } from './verify/poll.js';

const PLACEHOLDER = `sha256:${'0'.repeat(64)}` as Digest;

/** How a verify is named in an account: `GET https://… and kubectl rollout status …`. */
const describe = (v: NonNullable<GitopsEnvironment['verify']>) => [v.http ? `GET ${v.http.url} shows the ${v.http.match}` : '', v.command ? v.command.join(' ') : ''].filter(Boolean).join(' and ');

/** Splits `git diff` output into one patch per file. */
const patches = (diff: string) => diff.split(/^(?=diff --git )/m).filter(Boolean).map((d) => ({ file: /^diff --git a\/(.+?) b\//.exec(d)?.[1] ?? '?', diff: d }));

/**
 * Kubernetes through GitOps: a version is put in place by a commit to the manifests repository that
 * Argo CD or Flux applies (each edit's fields set, pinned by digest, pushed without force), verified by
 * `verify:` (an HTTP check, a command) and, when that fails, taken back by a revert commit.
 * Its instances are the places in the manifests that name the image.
 */
export class GitopsTarget implements Target {
  readonly kind = 'gitops' as const;
  readonly store: GitopsStore;
  private repo?: Promise<ManifestRepo>;
  /** The commit of the last rollout, for rollback(). */
  private last?: { done: Committed; desired: DesiredImage; ctx: CommitContext; reason: string };

  constructor(
    readonly env: GitopsEnvironment,
    /** The repository deployed, as openTarget got it (`registry/repo`). */
    private readonly image?: string,
    private readonly o: { vars?: NodeJS.ProcessEnv } = {},
  ) {
    this.store = new GitopsStore(env, () => this.open());
  }

  private open(): Promise<ManifestRepo> {
    this.repo ??= (async () => {
      const r = this.env.repository;
      let token: string | undefined;
      if (r.tokenEnv) {
        token = (this.o.vars ?? process.env)[r.tokenEnv];
        if (!token) throw new ConfigError(`environments.${this.env.name}.repository.token.env: Expected the environment variable ${r.tokenEnv} to be set, got nothing`, r.at?.('token.env'), `export ${r.tokenEnv}=<a token that may push to ${r.branch}>`);
      }
      return ManifestRepo.open({ url: r.url, branch: r.branch, token, username: r.username });
    })();
    return this.repo;
  }

  private async files(): Promise<{ tip: string; files: ManifestFiles }> {
    const repo = await this.open();
    const tip = await repo.fetch();
    return { tip, files: new ManifestFiles(repo.source(tip)) };
  }

  /** The image name as the manifests should spell it: the environment's image:, else as they spell it now, else the familiar form. */
  private async nameFor(repository: string | undefined, current: Instance[]): Promise<string> {
    const want = repository ?? this.env.image ?? this.image ?? current[0]?.image;
    if (!want) throw new ConfigError(`environments.${this.env.name}: Expected image: (the repository to deploy), got none`, undefined, 'set image: REPOSITORY on the environment');
    for (const c of [this.env.image, ...current.map((i) => i.image)]) if (c && sameRepository(c, want)) return c;
    const r = parseReference(want);
    return familiarName({ registry: r.registry, repository: r.repository });
  }

  /** Reachable, the branch there, every edit's file and fields present: checked before anything is committed (exit 2). */
  async preflight(): Promise<void> {
    const { files } = await this.files();
    await planEdits(files, this.env.edits, { name: this.env.image ?? this.image ?? 'registry.invalid/preflight', tag: 'preflight', sha: 'preflight', digest: PLACEHOLDER });
  }

  async list(): Promise<Instance[]> {
    const { files } = await this.files();
    const readings = await readEdits(files, this.env.edits);
    return readings.flatMap((r) =>
      r.versions.filter((v) => v.version.digest).map((v): Instance => ({
        host: r.edit.file,
        id: v.where,
        name: `${editName(r.edit)} ${v.where}`,
        digest: v.version.digest!,
        image: v.version.name,
        sha: shaOfTag(v.version.tag),
        running: true,
        createdAt: '',
        address: '',
        port: 0,
        envHash: {},
        ports: [],
      })),
    );
  }

  async rollout(want: Desired, run: RunOptions): Promise<RolloutOutcome> {
    const repo = await this.open();
    const desired: DesiredImage = { name: await this.nameFor(want.image, await this.list()), tag: want.sha, sha: want.sha, digest: want.digest };
    const ctx: CommitContext = { deployId: want.deployId, kind: want.kind ?? 'deploy', actor: want.actor ?? 'unknown', message: want.message, ciRun: want.ciRun, logger: run.logger, signal: run.signal };
    const done = await commitVersion(repo, this.env, desired, ctx);
    const places = [...new Set(done.written.applied.map((c) => c.file))];
    const plan: RolloutPlan = { digest: want.digest, order: 'start-first', batches: done.landed.commit ? [places.map((f) => ({ host: f, start: true }))] : [], keep: [] };
    if (!done.landed.commit) return { ok: true, plan };
    await run.onStep?.('committed');
    this.store.commits.set(want.deployId, done.landed.commit);
    this.last = { done, desired, ctx, reason: '' };
    if (!this.env.verify) return { ok: true, plan };
    const verdict = await verifyRollout(this.env.verify, { environment: this.env.name, image: desired.name, digest: desired.digest, sha: desired.sha, tag: desired.tag, commit: done.landed.commit }, { signal: run.signal, logger: run.logger });
    await run.onStep?.('verified');
    if (verdict.ok) {
      run.logger.info(`gitops ${this.env.name}: verified in ${(verdict.ms / 1000).toFixed(1)} s: ${verdict.reason}`);
      return { ok: true, plan };
    }
    this.last.reason = verdict.reason;
    return { ok: false, plan, failure: { where: 'verify', at: { commit: done.landed.commit.slice(0, 12), branch: this.env.repository.branch }, probe: describe(this.env.verify), output: verdict.reason, logs: '' } };
  }

  /** The revert commit of the failed rollout, pushed like a deploy. */
  async rollback(to: Version | undefined, failed: Desired, run: RunOptions): Promise<RollbackOutcome> {
    const t0 = Date.now();
    const last = this.last;
    const scope = 'the manifests';
    if (!last || last.desired.digest !== failed.digest) return { ok: false, to: to?.digest, ms: 0, instances: 0, scope, error: 'no commit of this rollout to revert' };
    try {
      const r = await revertCommit(await this.open(), this.env, last.done, last.desired, { ...last.ctx, logger: run.logger }, last.reason || 'verification failed');
      if (r.commit) run.logger.warn(`gitops ${this.env.name}: reverted in ${r.commit.slice(0, 12)}`);
      return { ok: !!r.commit, to: last.done.from?.digest ?? to?.digest, ms: Date.now() - t0, instances: r.files, scope: r.commit ? `the manifests (revert ${r.commit.slice(0, 12)})` : scope, error: r.why };
    } catch (e) {
      return { ok: false, to: to?.digest, ms: Date.now() - t0, instances: 0, scope, error: revertFailed(this.env, e).message };
    }
  }

  /** Each place's digest on the branch tip and, with verify.http, whether what is served shows it. */
  async status(): Promise<EnvironmentStatus> {
    const { tip } = await this.files();
    const list = await this.list();
    const versions = summarize(list);
    const served = this.env.verify?.http && versions.length === 1 ? await httpCheck(this.env.verify.http, { environment: this.env.name, image: list[0].image, digest: versions[0].digest, sha: versions[0].sha, tag: versions[0].sha, commit: tip }, Math.min(10_000, this.env.verify.timeout)) : undefined;
    const hosts: Record<string, InstanceStatus[]> = {};
    for (const i of list) (hosts[i.host] ??= []).push({ name: i.id, digest: i.digest, sha: i.sha, running: true, health: served ? (served.ok ? 'healthy' : 'unhealthy') : 'none', ...(served && !served.ok ? { check: served.detail } : {}), port: 0 });
    const notes = [`${this.store.where} at ${tip.slice(0, 12)}`, ...(served ? [`served: ${served.detail}`] : [])];
    // Commits are atomic: different digests are edits made by hand (or by another tool), never an interrupted deploy to converge.
    if (versions.length > 1) notes.push(`the edits name different images: ${versions.map((v) => v.digest.slice(7, 19)).join(', ')}; the next deploy sets them all`);
    return { hosts, versions, mixed: false, lock: {}, notes };
  }

  /** The exact file diff a rollout of `digest` would commit now. */
  async diff(digest: Digest, env?: DeployEnvironment, sha?: string): Promise<DeployDiff> {
    const target = env?.target === 'gitops' ? new GitopsTarget(env, this.image, this.o) : this;
    try {
      const current = await target.list();
      const desired: DesiredImage = { name: await target.nameFor(undefined, current), tag: sha, sha, digest };
      const repo = await target.open();
      const { tip, files } = await target.files();
      const written = await writeChanges(files, await planEdits(files, target.env.edits, desired));
      const text = await repo.diff(tip, written.texts);
      const changed = [...written.texts.keys()];
      return {
        image: changed.map((f) => ({ host: f, from: [...new Set(current.filter((i) => i.host === f).map((i) => i.digest))], to: digest })),
        env: { added: [], removed: [], changed: [] },
        replicas: [],
        ports: { from: [], to: [] },
        patches: patches(text),
        changed: changed.length > 0,
      };
    } finally {
      if (target !== this) await target.close();
    }
  }

  /** Old versions live on in git history: nothing to remove. */
  async prune(): Promise<PruneResult> {
    return { containers: [], images: [], kept: [] };
  }

  async close(): Promise<void> {
    const r = this.repo;
    this.repo = undefined;
    if (r) await (await r.catch(() => undefined))?.close();
  }
}

