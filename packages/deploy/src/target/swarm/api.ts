import type Docker from 'dockerode';
import { DeployError } from '@pipeline/core';
import type { HostConfig } from '../../config/types.js';
import type { PullAuth } from '../../model/target.js';
import { connect, explainTls } from '../docker/connect.js';
import { demux, withTimeout } from '../docker/streams.js';
import type { ServiceSpec, SwarmNode, SwarmService, SwarmTask } from './api-types.js';

const CALL_MS = 30_000;
const code = (e: unknown) => (e as { statusCode?: number }).statusCode ?? ((e as { cause?: { statusCode?: number } }).cause?.statusCode);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The Engine API of a Swarm manager, for what the Swarm target does: every call with a deadline. */
export class SwarmApi {
  readonly docker: Docker;

  constructor(readonly manager: HostConfig) {
    this.docker = connect(manager);
  }

  /** One API call with a deadline; a failure is a DeployError naming the call (its HTTP status kept as `cause`). */
  private async call<T>(what: string, p: Promise<T>): Promise<T> {
    try {
      return await withTimeout(p, CALL_MS, `swarm ${what}`);
    } catch (e) {
      const m = ((e as { json?: { message?: string } }).json?.message ?? (e as Error).message).trim();
      throw new DeployError(`swarm ${what} (manager ${this.manager.url}): ${m}`, { cause: e });
    }
  }

  /** The engine answers and is a Swarm manager; a clear exit 2 otherwise, before anything is touched. */
  async preflight(): Promise<void> {
    let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    try {
      info = await withTimeout(this.docker.info(), 15_000, 'info') as typeof info;
    } catch (e) {
      throw new DeployError(`manager ${this.manager.url}: cannot reach the Docker engine: ${explainTls(e as Error) ?? (e as Error).message}`, { exitCode: 2, hint: 'check manager: in pipeline.yml and that the engine answers there', cause: e });
    }
    if (info.Swarm?.LocalNodeState !== 'active') throw new DeployError(`manager ${this.manager.url}: the engine is not part of a Swarm (state ${info.Swarm?.LocalNodeState ?? 'unknown'})`, { exitCode: 2, hint: 'docker swarm init on it, or point manager: at a manager of the Swarm' });
    if (!info.Swarm.ControlAvailable) throw new DeployError(`manager ${this.manager.url}: the engine is a Swarm worker, not a manager`, { exitCode: 2, hint: 'point manager: at a manager (docker node ls shows them)' });
  }

  async services(labels: string[]): Promise<SwarmService[]> {
    return (await this.call('service ls', this.docker.listServices({ filters: { label: labels } }))) as unknown as SwarmService[];
  }

  async service(name: string): Promise<SwarmService | undefined> {
    try {
      return (await this.call('service inspect', this.docker.getService(name).inspect())) as SwarmService;
    } catch (e) {
      if (code(e) === 404) return undefined;
      throw e;
    }
  }

  async createService(spec: ServiceSpec, auth?: PullAuth): Promise<void> {
    await this.call('service create', this.docker.createService(auth ?? {}, spec as never));
  }

  /**
   * A new spec for a service. Swarm refuses a stale version ("update out of sequence": its own update
   * progress bumps it too), so the version is read right before, and again after such a refusal.
   */
  async updateService(id: string, spec: ServiceSpec, auth?: PullAuth): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const svc = await this.service(id);
      if (!svc) throw new DeployError(`swarm: service ${spec.Name} vanished before its update`);
      try {
        await this.call('service update', this.docker.getService(id).update(auth ?? {}, { _query: { version: svc.Version.Index }, _body: spec } as never) as unknown as Promise<unknown>);
        return;
      } catch (e) {
        if (attempt >= 8 || !/out of sequence/.test((e as Error).message)) throw e;
        await sleep(100 * attempt);
      }
    }
  }

  async removeService(id: string): Promise<void> {
    try {
      await this.call('service rm', this.docker.getService(id).remove());
    } catch (e) {
      if (code(e) !== 404) throw e;
    }
  }

  async tasks(serviceId: string): Promise<SwarmTask[]> {
    return (await this.call('task ls', this.docker.listTasks({ filters: { service: [serviceId] } }))) as unknown as SwarmTask[];
  }

  async nodes(): Promise<SwarmNode[]> {
    return (await this.call('node ls', this.docker.listNodes())) as unknown as SwarmNode[];
  }

  /** The task's last log lines (stdout and stderr), or why there are none. */
  async taskLogs(id: string, lines: number): Promise<string> {
    try {
      const buf = await this.call('task logs', (this.docker.getTask(id) as unknown as { logs(o: object): Promise<Buffer> }).logs({ stdout: true, stderr: true, tail: lines, follow: false }));
      // The engine's own complaints (a task not scheduled yet) come unframed: keep the words, drop the frame bytes.
      return demux(Buffer.from(buf)).replace(/[^\P{Cc}\n\t]|\uFFFD/gu, '').trimEnd();
    } catch (e) {
      return `(no logs: ${(e as Error).message})`;
    }
  }

  /** An overlay network by name, created (attachable, labelled) when missing: its id. */
  async ensureNetwork(name: string, labels: Record<string, string>): Promise<string> {
    const find = async () => ((await this.call('network ls', this.docker.listNetworks({ filters: { name: [name] } }))) as { Id: string; Name: string; Scope?: string }[]).find((n) => n.Name === name);
    const have = await find();
    if (have) return have.Id;
    try {
      const n = await this.call('network create', this.docker.createNetwork({ Name: name, Driver: 'overlay', Attachable: true, Labels: labels, CheckDuplicate: true } as never));
      return (n as unknown as { id: string }).id;
    } catch (e) {
      const again = await find();
      if (again) return again.Id; // created meanwhile by a concurrent deploy
      throw e;
    }
  }

  async configs(labels: string[]): Promise<{ ID: string; Spec: { Name: string; Labels?: Record<string, string>; Data?: string } }[]> {
    return (await this.call('config ls', this.docker.listConfigs({ filters: { label: labels } }))) as never;
  }

  /** Creates a config; false when the name is taken (Swarm's names are unique: the atomic part of the lock). */
  async createConfig(name: string, labels: Record<string, string>, data: string): Promise<boolean> {
    try {
      await this.call('config create', this.docker.createConfig({ Name: name, Labels: labels, Data: Buffer.from(data).toString('base64') } as never));
      return true;
    } catch (e) {
      if (code(e) === 409) return false;
      throw e;
    }
  }

  async config(name: string): Promise<{ id: string; labels: Record<string, string>; data: string } | undefined> {
    try {
      const c = (await this.call('config inspect', this.docker.getConfig(name).inspect())) as { ID: string; Spec: { Labels?: Record<string, string>; Data?: string } };
      return { id: c.ID, labels: c.Spec.Labels ?? {}, data: Buffer.from(c.Spec.Data ?? '', 'base64').toString('utf8') };
    } catch (e) {
      if (code(e) === 404) return undefined;
      throw e;
    }
  }

  async removeConfig(id: string): Promise<void> {
    try {
      await this.call('config rm', this.docker.getConfig(id).remove());
    } catch (e) {
      if (code(e) !== 404) throw e;
    }
  }

  async secrets(labels: string[]): Promise<{ ID: string; Spec: { Name: string; Labels?: Record<string, string> } }[]> {
    return (await this.call('secret ls', this.docker.listSecrets({ filters: { label: labels } }))) as never;
  }

  /** A secret by name, created when missing (names are content-addressed: an existing one holds the same value): its id. */
  async ensureSecret(name: string, labels: Record<string, string>, value: string): Promise<string> {
    const find = async () => ((await this.call('secret ls', this.docker.listSecrets({ filters: { name: [name] } }))) as { ID: string; Spec: { Name: string } }[]).find((s) => s.Spec.Name === name);
    const have = await find();
    if (have) return have.ID;
    try {
      const s = await this.call('secret create', this.docker.createSecret({ Name: name, Labels: labels, Data: Buffer.from(value).toString('base64') } as never));
      return (s as unknown as { id: string }).id;
    } catch (e) {
      const again = code(e) === 409 ? await find() : undefined;
      if (again) return again.ID;
      throw new DeployError(`swarm: creating secret ${name} failed: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Removes a secret; false when a service still uses it (Swarm refuses). */
  async removeSecret(id: string): Promise<boolean> {
    try {
      await this.call('secret rm', this.docker.getSecret(id).remove());
      return true;
    } catch (e) {
      if (code(e) === 404) return true;
      if (code(e) === 400 || code(e) === 409 || code(e) === 500) return false;
      throw e;
    }
  }

  close(): void {
    const agent = (this.docker.modem as unknown as { agent?: { end?: () => void; destroy(): void } }).agent;
    if (agent?.end) agent.end();
    else agent?.destroy();
  }
}
