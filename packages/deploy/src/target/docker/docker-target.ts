import { DeployError, shortDigest, type Digest } from '@pipeline/core';
import type { DeployEnvironment, DockerEnvironment } from '../../config/types.js';
import type { DeployDiff } from '../../model/diff.js';
import type { Instance } from '../../model/instance.js';
import type { EnvironmentStatus } from '../../model/status.js';
import type { HistoryEntry } from '../../model/store.js';
import type { Desired, Failure, PruneResult, RollbackOutcome, RolloutOutcome, RolloutPlan, RunOptions, Target, Version } from '../../model/target.js';
import type { Probe } from '../../probe/probe.js';
import { firstFailure, probesFor } from '../../probe/wait.js';
import { history } from '../../state/history.js';
import { keptVersions } from '../../state/prune.js';
import { summarize } from '../../state/status.js';
import { dockerDiff } from './diff.js';
import { DockerEngines } from './engines.js';
import { HolderStore } from './holder-store.js';
import { planRollout } from './plan.js';
import { stoppedToRemove } from './prune.js';
import { HaproxySwitch } from './proxy/haproxy.js';
import { noSwitch, type TrafficSwitch } from './proxy/switch.js';
import { BatchFailed, runPlan, watch, type Failure as BatchFailure, type RunContext } from './run.js';
import { instanceStatus } from './status.js';

/**
 * `target: docker`: containers on one or many engines (unix, tcp + TLS, ssh), rolled out batch by batch
 * behind probes (the rollout plan), switched through a proxy (the traffic switch); lock and history in
 * holder containers on the hosts.
 */
export class DockerTarget implements Target {
  readonly kind = 'docker' as const;
  readonly engines: DockerEngines;
  readonly store: HolderStore;
  readonly traffic: TrafficSwitch;
  private readonly probes: Probe[];

  constructor(readonly app: string, readonly env: DockerEnvironment, secrets: Record<string, string> = {}, o: { traffic?: TrafficSwitch } = {}) {
    this.engines = new DockerEngines(app, env, secrets);
    this.store = new HolderStore(this.engines);
    this.traffic = o.traffic ?? (env.proxy ? new HaproxySwitch(env.proxy.socket, env.proxy.backend) : noSwitch);
    this.probes = probesFor(env.probe);
  }

  get hosts(): readonly string[] {
    return this.engines.hosts;
  }

  preflight(): Promise<void> {
    return this.engines.preflight();
  }

  list(): Promise<Instance[]> {
    return this.engines.list();
  }

  /** One host's own copy of the audit trail, oldest first (every host keeps all of it). */
  readHistory(host: string): Promise<HistoryEntry[]> {
    return this.store.readHost(host);
  }

  /** Images of this app on a host with their digests (by the environment's repository, else those its containers record). */
  async images(host: string): Promise<{ id: string; digests: Digest[]; refs: string[] }[]> {
    return this.engines.images(host, this.repositories(await this.list()));
  }

  private repositories(all: readonly Instance[]): string[] {
    return this.env.image ? [this.env.image] : [...new Set(all.map((i) => i.image).filter(Boolean))];
  }

  private context(want: Desired, run: RunOptions, step: (s: string) => Promise<void>): RunContext {
    return { engines: this.engines, traffic: this.traffic, probe: this.env.probe, probes: this.probes, rollout: this.env.rollout, image: want.image, sha: want.sha, deployId: want.deployId, previous: want.previous?.digest, logger: run.logger, signal: run.signal, onStep: step };
  }

  async rollout(want: Desired, run: RunOptions): Promise<RolloutOutcome> {
    const step = async (s: string) => run.onStep?.(s);
    await Promise.all(this.hosts.map((h) => this.engines.pull(h, want.image, want.digest, run.auth)));
    await step('pulled');
    const before = await this.list();
    // After an interrupted deploy the rotation may lack a started instance or hold a stopped one.
    if (this.traffic.sync) await this.traffic.sync(await this.passing(before.filter((i) => i.running)));
    const plan = planRollout(before, { digest: want.digest, hosts: this.hosts, replicas: this.env.replicas }, this.env.rollout);
    run.logger.info(`deploy ${want.deployId}: ${want.previous ? shortDigest(want.previous.digest) : '(nothing)'} → ${shortDigest(want.digest)} in ${plan.batches.length} batch(es), keeping ${plan.keep.length}`);
    const ctx = this.context(want, run, step);
    let failure: BatchFailure | undefined;
    try {
      await runPlan(plan, ctx);
      await step('rolled-out');
      const now = (await this.list()).filter((i) => i.running && i.digest === want.digest);
      failure = await watch(now, ctx);
    } catch (e) {
      if (!(e instanceof BatchFailed)) throw e;
      failure = e.failure;
    }
    return failure ? { ok: false, plan, failure: accountOf(failure, plan) } : { ok: true, plan };
  }

  private async passing(list: Instance[]): Promise<Instance[]> {
    const failed = await Promise.all(list.map((i) => firstFailure(i, this.engines, this.probes, this.env.probe.timeout)));
    return list.filter((_, k) => !failed[k]);
  }

  /** Fleet-wide: every host goes back to `to`, health-checked like a deploy; with no previous version the new containers are stopped. */
  async rollback(to: Version | undefined, failed: Desired, run: RunOptions): Promise<RollbackOutcome> {
    const t0 = Date.now();
    const scope = 'every host';
    const ctx = { ...this.context(failed, run, async (s) => run.onStep?.(s)), signal: undefined };
    if (!to) {
      for (const i of (await this.list()).filter((x) => x.running && x.digest === failed.digest)) await this.traffic.drain(i, this.env.rollout.drain).then(() => this.engines.stop(i)).then(() => this.traffic.remove(i));
      return { ok: true, ms: Date.now() - t0, instances: 0, scope };
    }
    const image = to.image ?? failed.image;
    run.logger.warn(`rolling every host back to ${shortDigest(to.digest)}`);
    try {
      await Promise.all(this.hosts.map((h) => this.engines.pull(h, image, to.digest)));
      const plan = planRollout(await this.list(), { digest: to.digest, hosts: this.hosts, replicas: this.env.replicas }, { batch: { percent: 100 }, order: 'start-first' });
      await runPlan(plan, { ...ctx, image, sha: to.sha, previous: failed.digest });
      const n = (await this.list()).filter((i) => i.running && i.digest === to.digest).length;
      return { ok: true, to: to.digest, ms: Date.now() - t0, instances: n, scope };
    } catch (e) {
      return { ok: false, to: to.digest, ms: Date.now() - t0, instances: 0, error: (e as Error).message, scope };
    }
  }

  async status(o: { all?: boolean } = {}): Promise<EnvironmentStatus> {
    const list = await this.list();
    const hosts: EnvironmentStatus['hosts'] = Object.fromEntries(this.hosts.map((h) => [h, []]));
    const now = Date.now();
    for (const i of list) {
      if (!i.running && !o.all) continue;
      hosts[i.host].push(await instanceStatus(i, this.engines, this.env.probe, now));
    }
    const versions = summarize(list);
    return { hosts, versions, mixed: versions.length > 1, lock: await this.store.locks() };
  }

  async diff(digest: Digest, env?: DeployEnvironment): Promise<DeployDiff> {
    if (env && env.target !== 'docker') throw new DeployError(`environments.${env.name}: Expected a docker environment to compare with, got target ${env.target}`, { exitCode: 2 });
    return dockerDiff(await this.list(), this.hosts, env ?? this.env, digest);
  }

  /**
   * Images: those of the last `keep` good versions, the running ones and their rollback targets stay.
   * Containers: every stopped one goes (exited, or never started after a killed deploy) except, per host,
   * the newest of the rollback target, as many as run there.
   */
  async prune(o: { keep: number }): Promise<PruneResult> {
    const all = await this.list();
    const { kept, rollbackTargets } = keptVersions(all, await history(this, 500), o.keep);
    const out: PruneResult = { containers: [], images: [], kept: [...kept] };
    for (const i of stoppedToRemove(all, rollbackTargets)) {
      await this.engines.remove(i);
      out.containers.push(`${i.host} ${i.name}`);
    }
    const repositories = this.repositories(all);
    for (const host of this.hosts) {
      for (const img of await this.engines.images(host, repositories)) {
        if (img.digests.some((d) => kept.has(d))) continue;
        await this.engines.removeImage(host, img.refs);
        out.images.push(`${host} ${img.digests.join(',')}`);
      }
    }
    return out;
  }

  close(): Promise<void> {
    return this.engines.close();
  }
}

function accountOf(f: BatchFailure, plan: RolloutPlan): Failure {
  return {
    where: f.batch >= 0 ? `batch ${f.batch + 1}/${plan.batches.length}` : 'the watch window after the last batch',
    at: { host: f.host, container: f.container },
    probe: f.probe,
    output: f.output,
    logs: f.logs,
  };
}
