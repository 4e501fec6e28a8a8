import { DeployError, parseReference, shortDigest, type Digest } from '@pipeline/core';
import type { DeployEnvironment, SwarmEnvironment, SwarmServiceConfig } from '../../config/types.js';
import { LABEL } from '../../labels.js';
import type { DeployDiff } from '../../model/diff.js';
import type { Instance } from '../../model/instance.js';
import type { EnvironmentStatus } from '../../model/status.js';
import type { Desired, Failure, PruneResult, RollbackOutcome, RolloutOutcome, RolloutPlan, RunOptions, Target, Version } from '../../model/target.js';
import { healthDeadline } from '../../probe/budget.js';
import type { Probe } from '../../probe/probe.js';
import { probesFor } from '../../probe/wait.js';
import { history } from '../../state/history.js';
import { keptVersions } from '../../state/prune.js';
import { summarize } from '../../state/status.js';
import { SwarmApi } from './api.js';
import type { ServiceSpec, SwarmService, UpdateState } from './api-types.js';
import { awaitSpec, type SpecVerdict, type SpecWanted } from './await-spec.js';
import { SwarmConfigStore } from './config-store.js';
import { SWARM_LABEL } from './labels.js';
import { desiredSpecs } from './desired.js';
import { serviceName } from './names.js';
import { parallelism } from './service-spec.js';
import { swarmDiff } from './diff.js';
import { serviceStatus } from './status.js';
import { serving, taskDigest, taskInstance } from './tasks.js';

/** A service this deploy changed, and what it was before (none: created by it). */
interface Updated { cfg: SwarmServiceConfig; name: string; before?: ServiceSpec }

const SETTLED: (UpdateState | undefined)[] = [undefined, 'completed', 'rollback_completed'];
/** Allowance per batch for Swarm to schedule a task and its node to pull the image (a node may not have it yet). */
const SCHEDULE_AND_PULL_MS = 60_000;

/**
 * `target: swarm`: a stack of services on a Swarm, through a manager's engine. Swarm's own rolling update
 * does the work (UpdateConfig from the rollout and probe); pipeline verifies from outside with the probes on
 * each task's published port, and its verdict is the truth: exit 0 only when every task of every service runs
 * the exact spec deployed and held the probes for the stability window. A failing service rolls the whole
 * stack back. Lock and history live in the Swarm as configs.
 */
export class SwarmTarget implements Target {
  readonly kind = 'swarm' as const;
  readonly api: SwarmApi;
  readonly store: SwarmConfigStore;
  private readonly probes: Probe[];
  private updated: Updated[] = [];

  constructor(readonly app: string, readonly env: SwarmEnvironment, private readonly secrets: Record<string, string> = {}) {
    this.api = new SwarmApi(env.manager);
    this.store = new SwarmConfigStore(this.api, app, env.name);
    this.probes = probesFor(env.probe);
  }

  private get labels(): string[] {
    return [`${LABEL.app}=${this.app}`, `${LABEL.env}=${this.env.name}`];
  }

  /** Services that run the deployed repository (their image takes the deploy's digest); the others are pinned. */
  private appServices(): SwarmServiceConfig[] {
    return this.env.services.filter((s) => !s.image || !parseReference(s.image).digest);
  }

  preflight(): Promise<void> {
    return this.api.preflight();
  }

  /** The app's instances: every task (running or kept in Swarm's task history) of the services that run the deployed repository. */
  async list(): Promise<Instance[]> {
    const nodes = new Map((await this.api.nodes()).map((n) => [n.ID, n]));
    const out: Instance[] = [];
    for (const cfg of this.appServices()) {
      const svc = await this.api.service(serviceName(this.env.stack, cfg.name));
      if (!svc) continue;
      for (const t of await this.api.tasks(svc.ID)) if (taskDigest(t)) out.push(taskInstance(t, svc, nodes, cfg.probePort));
    }
    return out.sort((a, b) => a.host.localeCompare(b.host) || a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }

  /** Nothing to do for a service already running this spec, settled, with every serving task on it. */
  private async settledOn(svc: SwarmService | undefined, spec: ServiceSpec): Promise<boolean> {
    if (!svc || svc.Spec.Labels[SWARM_LABEL.specHash] !== spec.Labels[SWARM_LABEL.specHash] || !SETTLED.includes(svc.UpdateStatus?.State)) return false;
    const up = (await this.api.tasks(svc.ID)).filter(serving);
    return up.length === spec.Mode.Replicated.Replicas && up.every((t) => t.Spec.ContainerSpec.Labels?.[SWARM_LABEL.specHash] === spec.Labels[SWARM_LABEL.specHash]);
  }

  /** The whole update of a service: per batch, the stop grace, a task's health deadline and time to schedule and pull on a node. */
  private deadline(cfg: SwarmServiceConfig): number {
    const batches = Math.ceil(cfg.replicas / parallelism(this.env.rollout.batch, cfg.replicas));
    return batches * (this.env.rollout.drain + healthDeadline(this.env.probe, this.env.rollout) + SCHEDULE_AND_PULL_MS);
  }

  private wanted(cfg: SwarmServiceConfig, spec: ServiceSpec): SpecWanted {
    return { specHash: spec.Labels[SWARM_LABEL.specHash], image: spec.TaskTemplate.ContainerSpec.Image, replicas: spec.Mode.Replicated.Replicas, probePort: cfg.probePort };
  }

  private await(name: string, want: SpecWanted, run: RunOptions, done: (UpdateState | undefined)[], failOn: UpdateState[], deadlineMs: number): Promise<SpecVerdict> {
    return awaitSpec(name, want, { api: this.api, probe: this.env.probe, probes: this.probes, logger: run.logger, signal: run.signal, deadlineMs, taskDeadlineMs: healthDeadline(this.env.probe, this.env.rollout), done, failOn });
  }

  async rollout(want: Desired, run: RunOptions): Promise<RolloutOutcome> {
    const step = async (s: string) => run.onStep?.(s);
    const desired = await desiredSpecs(this.api, this.env, this.app, this.secrets, want);
    const current = await Promise.all(desired.map((d) => this.api.service(d.spec.Name)));
    const todo: number[] = [];
    for (const [k, d] of desired.entries()) if (!(await this.settledOn(current[k], d.spec))) todo.push(k);
    const plan: RolloutPlan = {
      digest: want.digest, order: this.env.rollout.order,
      batches: todo.map((k) => [{ host: desired[k].spec.Name, start: true, ...(current[k] ? { stop: current[k]!.Spec.Name } : {}) }]),
      keep: desired.filter((_, k) => !todo.includes(k)).map((d) => d.spec.Name),
    };
    run.logger.info(`deploy ${want.deployId}: ${want.previous ? shortDigest(want.previous.digest) : '(nothing)'} → ${shortDigest(want.digest)}: ${todo.length} service(s) to update in order (${todo.map((k) => desired[k].cfg.name).join(', ') || 'none'}), keeping ${plan.keep.length}`);
    await step('pulled');
    this.updated = [];
    for (const [n, k] of todo.entries()) {
      const { cfg, spec } = desired[k];
      const svc = current[k];
      if (svc) await this.api.updateService(svc.ID, spec, run.auth);
      else await this.api.createService(spec, run.auth);
      this.updated.push({ cfg, name: spec.Name, before: svc?.Spec });
      await step('updating');
      const v = await this.await(spec.Name, this.wanted(cfg, spec), run, svc ? ['completed'] : [undefined, 'completed'], ['paused', 'rollback_started', 'rollback_paused', 'rollback_completed'], this.deadline(cfg));
      if (!v.ok) return { ok: false, plan, failure: { where: `service ${cfg.name} (${n + 1}/${todo.length})`, ...v.failure } };
      run.logger.info(`${spec.Name}: ${cfg.replicas} task(s) on ${shortDigest(parseReference(spec.TaskTemplate.ContainerSpec.Image).digest!)} held the probes in ${(v.ms / 1000).toFixed(1)} s`);
      await step(`service-${n + 1}`);
    }
    await step('rolled-out');
    const watched = await this.watch(todo.map((k) => desired[k]), run);
    return watched ? { ok: false, plan, failure: watched } : { ok: true, plan };
  }

  /** rollout.watch after the last service: every updated service's tasks keep holding the probes that long (no restart either). */
  private async watch(updated: { cfg: SwarmServiceConfig; spec: ServiceSpec }[], run: RunOptions): Promise<Failure | undefined> {
    const ms = this.env.rollout.watch;
    if (ms <= 0 || !updated.length) return undefined;
    const probe = { ...this.env.probe, stability: ms };
    const verdicts = await Promise.all(updated.map(({ cfg, spec }) => awaitSpec(spec.Name, this.wanted(cfg, spec), {
      api: this.api, probe, probes: this.probes, logger: run.logger, signal: run.signal, deadlineMs: ms + healthDeadline(this.env.probe, this.env.rollout), taskDeadlineMs: Infinity, done: SETTLED, failOn: ['paused', 'rollback_started', 'rollback_paused'],
    })));
    const bad = verdicts.find((v): v is Extract<SpecVerdict, { ok: false }> => !v.ok);
    return bad ? { where: 'the watch window after the last service', ...bad.failure } : undefined;
  }

  /**
   * The stack as one: every service this deploy changed goes back to its spec from before, the failing one
   * first (Swarm may be rolling it back already: waited for; paused, or a rollback that paused: finished by
   * pipeline), then the others in reverse order; each verified by the probes. A service this deploy created
   * is scaled to 0 (nothing to go back to).
   */
  async rollback(to: Version | undefined, _failed: Desired, run: RunOptions): Promise<RollbackOutcome> {
    const t0 = Date.now();
    const scope = 'every service';
    const errors: string[] = [];
    const quiet = { ...run, signal: undefined };
    for (const u of [...this.updated].reverse()) {
      const err = await this.restore(u, quiet).catch((e: Error) => e.message);
      if (err) errors.push(`${u.name}: ${err}`);
    }
    const n = to ? (await this.list()).filter((i) => i.running && i.digest === to.digest).length : 0;
    if (this.updated.length) run.logger.warn(`rolled ${this.updated.map((u) => u.name).join(', ')} back${to ? ` to ${shortDigest(to.digest)}` : ''}`);
    return { ok: !errors.length, to: to?.digest, ms: Date.now() - t0, instances: n, scope, ...(errors.length ? { error: errors.join('; ') } : {}) };
  }

  /** One service back to its spec from before this deploy: undefined when verified, else why not. */
  private async restore(u: Updated, run: RunOptions): Promise<string | undefined> {
    let svc = await this.api.service(u.name);
    if (!svc) return undefined;
    if (!u.before) {
      const spec = { ...svc.Spec, Mode: { Replicated: { Replicas: 0 } } };
      await this.api.updateService(svc.ID, spec);
      return undefined;
    }
    if (svc.UpdateStatus?.State === 'paused') run.logger.warn(`${u.name}: Swarm paused the update instead of rolling back; pipeline rolls it back itself`);
    const want = this.wanted(u.cfg, u.before);
    if (!u.before.Labels[SWARM_LABEL.specHash]) delete want.specHash;
    want.replicas = u.before.Mode.Replicated.Replicas;
    const deadline = this.deadline(u.cfg);
    if (svc.UpdateStatus?.State === 'rollback_started' || svc.UpdateStatus?.State === 'rollback_completed') {
      run.logger.info(`${u.name}: Swarm is rolling it back (${svc.UpdateStatus.State}); verifying`);
      const v = await this.await(u.name, want, run, ['rollback_completed'], ['rollback_paused', 'paused'], deadline);
      if (v.ok) return undefined;
      svc = await this.api.service(u.name);
      if (!svc) return undefined;
      if (v.state !== 'rollback_paused' && v.state !== 'paused') return `${v.failure.probe}: ${v.failure.output}`;
      run.logger.warn(`${u.name}: Swarm paused its rollback (${v.failure.output}); pipeline finishes it`);
    }
    // Forward to the old spec; if that failed too, pause rather than go back to the failing one.
    const spec: ServiceSpec = { ...u.before, UpdateConfig: { ...(u.before.UpdateConfig ?? { Parallelism: 1, Delay: 0, Monitor: 0, MaxFailureRatio: 0, Order: this.env.rollout.order }), FailureAction: 'pause' } };
    await this.api.updateService(svc.ID, spec);
    const v = await this.await(u.name, want, run, ['completed'], ['paused', 'rollback_started', 'rollback_paused'], deadline);
    return v.ok ? undefined : `${v.failure.probe}: ${v.failure.output}`;
  }

  async status(o: { all?: boolean } = {}): Promise<EnvironmentStatus> {
    const nodes = new Map((await this.api.nodes()).map((n) => [n.ID, n]));
    const hosts: EnvironmentStatus['hosts'] = {};
    const notes: string[] = [];
    const app: Instance[] = [];
    let unsettled = false;
    for (const cfg of this.env.services) {
      const name = serviceName(this.env.stack, cfg.name);
      const svc = await this.api.service(name);
      if (!svc) {
        hosts[name] = [];
        notes.push(`${name}: not created yet`);
        continue;
      }
      const s = await serviceStatus(this.api, svc, cfg, nodes, this.env.probe, this.probes, !!o.all);
      hosts[name] = s.instances;
      if (s.note) notes.push(s.note);
      if (!cfg.image || !parseReference(cfg.image).digest) {
        app.push(...s.serving);
        if (!SETTLED.includes(svc.UpdateStatus?.State)) unsettled = true;
      }
    }
    const versions = summarize(app);
    return { hosts, versions, mixed: versions.length > 1 || unsettled, lock: await this.store.locks(), notes };
  }

  async diff(digest: Digest, env?: DeployEnvironment): Promise<DeployDiff> {
    if (env && env.target !== 'swarm') throw new DeployError(`environments.${env.name}: Expected a swarm environment to compare with, got target ${env.target}`, { exitCode: 2 });
    return swarmDiff(this.api, env ?? this.env, this.app, digest, this.secrets);
  }

  /**
   * Swarm removes old tasks itself (its task history limit); pipeline removes this environment's secrets no
   * service's current spec names (an older value: a rollback deploys the value set now), and history
   * entries beyond the newest 200.
   */
  async prune(o: { keep: number }): Promise<PruneResult> {
    const { kept } = keptVersions(await this.list(), await history(this, 500), o.keep);
    const services = await this.api.services(this.labels);
    const used = new Set(services.flatMap((s) => s.Spec.TaskTemplate.ContainerSpec.Secrets?.map((r) => r.SecretID) ?? []));
    const objects: string[] = [];
    for (const s of await this.api.secrets(this.labels)) {
      if (used.has(s.ID)) continue;
      if (await this.api.removeSecret(s.ID)) objects.push(`secret ${s.Spec.Name}`);
    }
    for (const name of await this.store.trim(200)) objects.push(`config ${name}`);
    return { containers: [], images: [], kept: [...kept], objects };
  }

  async close(): Promise<void> {
    this.api.close();
  }
}
