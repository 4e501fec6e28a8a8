import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { DeployError, isDigest, type Digest } from '@pipeline/core';
import type { DockerEnvironment, HostConfig } from '../../config/types.js';
import { LABEL } from '../../labels.js';
import type { Instance, InstanceHealth, InstanceRuntime } from '../../model/instance.js';
import type { PullAuth } from '../../model/target.js';
import { connect, explainTls } from './connect.js';
import { containerSpec } from './container-spec.js';
import { createHolder, holderName, roleLabels } from './holder.js';
import { demux, readAll, withTimeout } from './streams.js';
import { firstFile, tarOf } from './tar.js';

/** What a new container is: the image by digest plus who made it. */
export interface InstanceSpec {
  host: string;
  image: string;
  digest: Digest;
  sha?: string;
  deployId: string;
  previous?: Digest;
}

/** Plain Docker engines, one or many: every fact is read back from container labels on the hosts. */
export class DockerEngines implements InstanceRuntime {
  readonly hosts: readonly string[];
  private readonly clients = new Map<string, { docker: Docker; cfg: HostConfig }>();
  /** Ports handed out but not yet visible in `list` (parallel starts in one batch). */
  private readonly reserved = new Map<string, Set<number>>();

  constructor(readonly app: string, readonly env: DockerEnvironment, private readonly secrets: Record<string, string> = {}) {
    for (const h of env.hosts) this.clients.set(h.url, { docker: connect(h), cfg: h });
    this.hosts = env.hosts.map((h) => h.url);
  }

  private d(host: string): Docker {
    const c = this.clients.get(host);
    if (!c) throw new DeployError(`Unknown host ${host}`, { exitCode: 2 });
    return c.docker;
  }

  async preflight(): Promise<void> {
    await Promise.all(this.hosts.map(async (h) => {
      try {
        await withTimeout(this.d(h).ping(), 15_000, 'ping');
      } catch (e) {
        const tls = explainTls(e as Error);
        throw new DeployError(`host ${h}: cannot reach the Docker engine: ${tls ?? (e as Error).message}`, { exitCode: 2, hint: 'check the hosts: list in pipeline.yml and that the engine answers there', cause: e });
      }
    }));
  }

  private filters(role: string) {
    return { label: [`${LABEL.app}=${this.app}`, `${LABEL.env}=${this.env.name}`, `${LABEL.role}=${role}`] };
  }

  async list(): Promise<Instance[]> {
    const per = await Promise.all(this.hosts.map(async (host) => {
      const cs = await this.d(host).listContainers({ all: true, filters: this.filters('app') });
      const address = this.clients.get(host)!.cfg.address;
      return cs.map((c): Instance => {
        const l = c.Labels;
        const health = /\((healthy|unhealthy|health: starting)\)/.exec(c.Status)?.[1];
        return {
          host,
          id: c.Id,
          name: c.Names[0]?.replace(/^\//, '') ?? c.Id,
          digest: l[LABEL.digest] as Digest,
          image: l[LABEL.image],
          sha: l[LABEL.sha],
          deployId: l[LABEL.deployId],
          previous: isDigest(l[LABEL.previous] ?? '') ? (l[LABEL.previous] as Digest) : undefined,
          running: c.State === 'running',
          state: c.State,
          health: health === 'health: starting' ? 'starting' : (health as Instance['health']),
          createdAt: new Date(c.Created * 1000).toISOString(),
          address,
          port: Number(l[LABEL.port]),
          envHash: JSON.parse(l[LABEL.envHash] ?? '{}') as Record<string, string>,
          ports: (l[LABEL.ports] ?? '').split(',').filter(Boolean),
        };
      });
    }));
    return per.flat().sort((a, b) => a.host.localeCompare(b.host) || a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }

  async pull(host: string, image: string, digest: Digest, auth?: PullAuth): Promise<void> {
    const d = this.d(host);
    const ref = `${image}@${digest}`;
    try {
      await d.getImage(ref).inspect();
      return;
    } catch {
      // not there yet
    }
    try {
      const stream = await d.pull(ref, auth ? { authconfig: auth } : {});
      await new Promise<void>((res, rej) => d.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => {
        const bad = out?.find((o) => o.error);
        if (err || bad) rej(err ?? new Error(bad!.error));
        else res();
      }));
      await d.getImage(ref).inspect();
    } catch (e) {
      throw new DeployError(`host ${host}: pulling ${ref} failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    const d = this.d(spec.host);
    const port = await this.allocatePort(spec.host);
    try {
      const body = containerSpec({ app: this.app, env: this.env, image: spec.image, digest: spec.digest, sha: spec.sha, deployId: spec.deployId, previous: spec.previous, port, secrets: this.secrets, suffix: randomBytes(3).toString('hex') });
      const c = await d.createContainer(body);
      await c.start();
      const info = await c.inspect();
      return {
        host: spec.host, id: info.Id, name: body.name, digest: spec.digest, image: spec.image, sha: spec.sha, deployId: spec.deployId, previous: spec.previous,
        running: info.State.Running, createdAt: info.Created, startedAt: info.State.StartedAt, address: this.clients.get(spec.host)!.cfg.address, port,
        envHash: JSON.parse(body.Labels![LABEL.envHash]) as Record<string, string>,
        ports: body.Labels![LABEL.ports].split(',').filter(Boolean),
      };
    } finally {
      this.reserved.get(spec.host)?.delete(port);
    }
  }

  private async allocatePort(host: string): Promise<number> {
    const used = new Set((await this.d(host).listContainers({ filters: this.filters('app') })).map((c) => Number(c.Labels[LABEL.port])));
    const mine = this.reserved.get(host) ?? new Set<number>();
    this.reserved.set(host, mine);
    for (let p = this.env.hostPorts.from; p <= this.env.hostPorts.to; p++) {
      if (!used.has(p) && !mine.has(p)) {
        mine.add(p);
        return p;
      }
    }
    throw new DeployError(`host ${host}: no free port left in hostPorts ${this.env.hostPorts.from}-${this.env.hostPorts.to}`);
  }

  async stop(inst: Instance): Promise<void> {
    try {
      await this.d(inst.host).getContainer(inst.id).stop({ t: 10 });
    } catch (e) {
      if (![304, 404].includes((e as { statusCode?: number }).statusCode ?? 0)) throw e;
    }
  }

  async remove(inst: Instance): Promise<void> {
    try {
      await this.d(inst.host).getContainer(inst.id).remove({ force: true });
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    }
  }

  async logs(inst: Instance, lines: number): Promise<string> {
    try {
      const buf = (await this.d(inst.host).getContainer(inst.id).logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
      return demux(Buffer.from(buf)).trimEnd();
    } catch (e) {
      return `(no logs: ${(e as Error).message})`;
    }
  }

  async exec(inst: Instance, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const c = this.d(inst.host).getContainer(inst.id);
    const ex = await c.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await ex.start({ hijack: true, stdin: false });
    const out = await withTimeout(readAll(stream), timeoutMs, `exec ${cmd.join(' ')}`).catch((e: Error) => {
      (stream as unknown as { destroy(): void }).destroy();
      throw e;
    });
    const info = await ex.inspect();
    return { exitCode: info.ExitCode ?? -1, output: demux(out).trim() };
  }

  async inspectHealth(inst: Instance): Promise<InstanceHealth> {
    const info = await this.d(inst.host).getContainer(inst.id).inspect();
    const h = info.State.Health;
    const last = h?.Log?.[h.Log.length - 1];
    return { running: info.State.Running && !info.State.Restarting, health: h?.Status as Instance['health'], log: last?.Output?.trim(), exitCode: info.State.ExitCode, startedAt: info.State.StartedAt };
  }

  /** Creates a never-started holder container; false when the name is taken (the atomic part of the lock). */
  createHolder(host: string, role: 'lock' | 'state', labels: Record<string, string> = {}): Promise<boolean> {
    return createHolder(this.d(host), holderName(role, this.app, this.env.name), { ...roleLabels(role, this.app, this.env.name), ...labels });
  }

  /** A holder container's labels, or undefined when there is none. */
  async holderLabels(host: string, role: 'lock' | 'state'): Promise<Record<string, string> | undefined> {
    try {
      return (await this.d(host).getContainer(holderName(role, this.app, this.env.name)).inspect()).Config.Labels ?? {};
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      throw e;
    }
  }

  async removeHolder(host: string, role: 'lock' | 'state'): Promise<void> {
    try {
      await this.d(host).getContainer(holderName(role, this.app, this.env.name)).remove({ force: true });
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    }
  }

  /** The one file a state holder keeps (created on first use). */
  async readHolderFile(host: string, path: string): Promise<string> {
    await this.createHolder(host, 'state');
    const c = this.d(host).getContainer(holderName('state', this.app, this.env.name));
    try {
      return firstFile(await readAll(await c.getArchive({ path })))?.toString('utf8') ?? '';
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
      return '';
    }
  }

  async writeHolderFile(host: string, path: string, data: Buffer): Promise<void> {
    await this.createHolder(host, 'state');
    const c = this.d(host).getContainer(holderName('state', this.app, this.env.name));
    const slash = path.lastIndexOf('/');
    await c.putArchive(tarOf([{ name: path.slice(slash + 1), data }]), { path: path.slice(0, slash) || '/' });
  }

  /**
   * Images of this app on a host, by the repositories it deploys from (the environment's image, else those its
   * containers record): their digests and the references (`repo@digest`, `repo:tag`) the app put there.
   */
  async images(host: string, repositories: readonly string[] = this.env.image ? [this.env.image] : []): Promise<{ id: string; digests: Digest[]; refs: string[] }[]> {
    if (!repositories.length) return [];
    const mine = (r: string) => repositories.some((repo) => r.startsWith(`${repo}@`) || r.startsWith(`${repo}:`));
    const imgs = await this.d(host).listImages({ all: false });
    return imgs
      .map((i) => {
        const refs = [...(i.RepoDigests ?? []), ...(i.RepoTags ?? [])].filter(mine);
        return { id: i.Id, digests: refs.filter((r) => r.includes('@')).map((r) => r.slice(r.indexOf('@') + 1) as Digest), refs };
      })
      .filter((i) => i.digests.length > 0);
  }

  /**
   * Removes the app's references to an image; the engine deletes the image with its last reference. An
   * image another repository also names stays for it, and one a container still uses stays too.
   */
  async removeImage(host: string, refs: readonly string[]): Promise<void> {
    for (const ref of refs) {
      try {
        await this.d(host).getImage(ref).remove({ force: false, noprune: false });
      } catch (e) {
        if (![404, 409].includes((e as { statusCode?: number }).statusCode ?? 0)) throw e;
      }
    }
  }

  /** Ends the per-host connections (the shared ssh connection, kept-alive TLS sockets). */
  async close(): Promise<void> {
    for (const { docker } of this.clients.values()) {
      const agent = (docker.modem as unknown as { agent?: { end?: () => void; destroy(): void } }).agent;
      if (agent?.end) agent.end();
      else agent?.destroy();
    }
  }
}
