import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { PipelineError, type Logger, quote } from '@pipeline/core';
import { configBlob, type Image } from '../model/image.js';
import { loadIntoEngine } from './engine-archive.js';

/** Every image and container the engine executor makes carries these labels (and nothing else does). */
export const STEP_LABEL = 'dev.pipeline.build-step';
const HOST_LABEL = 'dev.pipeline.build-host';
const PID_LABEL = 'dev.pipeline.build-pid';
const BUILD_LABEL = 'dev.pipeline.build';

/** A dockerode client for DOCKER_HOST; dockerode (and ssh2 under it) loads only when an engine is used. */
export async function dockerFor(host?: string): Promise<Docker> {
  const { default: Docker } = await import('dockerode');
  if (!host) return new Docker();
  const u = new URL(host);
  if (u.protocol === 'unix:') return new Docker({ socketPath: u.pathname });
  if (u.protocol === 'tcp:' || u.protocol === 'http:') return new Docker({ host: u.hostname, port: Number(u.port || 2375), protocol: 'http' });
  if (u.protocol === 'https:') return new Docker({ host: u.hostname, port: Number(u.port || 2376), protocol: 'https' });
  if (u.protocol === 'ssh:') return new Docker({ protocol: 'ssh', host: u.hostname, port: Number(u.port || 22), username: u.username || undefined });
  throw new PipelineError('usage', `Expected DOCKER_HOST as unix://, tcp://, https:// or ssh://, got ${quote(host)}`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * The engine-side state of one build: the images it loaded (labelled with the build, this host and
 * this process) and the containers it runs, all removed by dispose(), on failure and Ctrl-C alike.
 * A build killed outright leaves them labelled; the next build on this host removes those whose
 * process is gone.
 */
export class EngineSession {
  readonly labels: Record<string, string>;
  private readonly loaded = new Map<string, Promise<string>>();
  private readonly containers = new Set<Docker.Container>();
  private readonly removing = new Set<Promise<void>>();
  /** Layer chains (diff_ids prefixes, joined) the engine holds: their layers need not be sent again. */
  private readonly chains = new Set<string>();

  constructor(readonly docker: Docker, private readonly logger: Logger) {
    this.labels = { [STEP_LABEL]: 'true', [HOST_LABEL]: hostname(), [PID_LABEL]: String(process.pid), [BUILD_LABEL]: randomBytes(6).toString('hex') };
  }

  /** Removes what killed builds on this host left behind (their process is gone). */
  async sweep(): Promise<void> {
    const filters = JSON.stringify({ label: [`${STEP_LABEL}=true`, `${HOST_LABEL}=${hostname()}`] });
    const stale = (l: Record<string, string> | undefined) => !!l && !alive(Number(l[PID_LABEL]));
    const containers = await this.docker.listContainers({ all: true, filters }).catch(() => []);
    for (const c of containers) if (stale(c.Labels)) await this.docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
    const images = await this.docker.listImages({ filters }).catch(() => []);
    for (const i of images) if (stale(i.Labels)) await this.docker.getImage(i.Id).remove({ force: true }).catch(() => {});
  }

  /**
   * The engine's image ID for the build's current state. An image the engine already has with the
   * same config is used as it is (a base pulled or built there); otherwise the state is loaded,
   * labelled as this build's, once per state.
   */
  async imageFor(image: Image): Promise<string> {
    const plain = configBlob(image, 'docker').digest;
    if (await this.exists(plain)) {
      this.remember(image);
      return plain;
    }
    const labelled: Image = { ...image, config: { ...image.config, config: { ...image.config.config, Labels: { ...(image.config.config.Labels ?? {}), ...this.labels } } } };
    const id = configBlob(labelled, 'docker').digest;
    let p = this.loaded.get(id);
    if (!p) {
      p = this.load(labelled, id);
      this.loaded.set(id, p);
      p.catch(() => this.loaded.delete(id));
    }
    return p;
  }

  /** Creates a container, tracked until removed. */
  async create(opts: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    const c = await this.docker.createContainer({ ...opts, Labels: { ...(opts.Labels ?? {}), ...this.labels } });
    this.containers.add(c);
    return c;
  }

  /**
   * Removes a step's container. The build goes on meanwhile (on a copying storage driver such as vfs
   * removal deletes a whole copy of the filesystem); dispose() waits for it.
   */
  remove(c: Docker.Container): void {
    this.containers.delete(c);
    const p = c.remove({ force: true, v: true }).catch(() => {});
    this.removing.add(p);
    void p.then(() => this.removing.delete(p));
  }

  async dispose(): Promise<void> {
    for (const c of [...this.containers]) this.remove(c);
    while (this.removing.size) await Promise.all([...this.removing]);
    const ids = await Promise.all([...this.loaded.values()].map((p) => p.catch(() => undefined)));
    this.loaded.clear();
    // Top states first: an image whose layers a later state shares is removed after it.
    for (const id of ids.reverse()) if (id) await this.docker.getImage(id).remove({ force: true, noprune: false }).catch((e: Error) => this.logger.debug(`engine: could not remove ${id}: ${e.message}`));
  }

  private async exists(id: string): Promise<boolean> {
    return this.docker.getImage(id).inspect().then(() => true, () => false);
  }

  private remember(image: Image): void {
    const ids = image.config.rootfs.diff_ids;
    for (let k = 1; k <= ids.length; k++) this.chains.add(ids.slice(0, k).join(' '));
  }

  private async load(image: Image, id: string): Promise<string> {
    const ids = image.config.rootfs.diff_ids;
    let skip = 0;
    while (skip < ids.length && this.chains.has(ids.slice(0, skip + 1).join(' '))) skip++;
    try {
      await loadIntoEngine(this.docker, image, skip);
    } catch (e) {
      if (!skip) throw e;
      this.logger.debug(`engine: load without the layers it holds failed (${(e as Error).message}); sending them all`);
      await loadIntoEngine(this.docker, image, 0);
    }
    if (!(await this.exists(id))) throw new Error(`the engine did not keep the loaded image ${id}`);
    this.remember(image);
    return id;
  }
}

/** Loads an image into the engine unlabelled, as it is (image tests run the built image itself); its ID. */
export async function ensureImage(docker: Docker, image: Image): Promise<string> {
  const id = configBlob(image, 'docker').digest;
  if (await docker.getImage(id).inspect().then(() => true, () => false)) return id;
  await loadIntoEngine(docker, image);
  await docker.getImage(id).inspect();
  return id;
}

/** An image loaded for a while: its ID, and release() to remove it again. */
export interface ImageLease {
  id: string;
  release(): Promise<void>;
}

/**
 * ensureImage for as long as the image tests need it: release() removes the image when this call
 * loaded it (each tested image stayed behind, ~100 MB apiece), never one that was there before,
 * nor one a container still uses (the engine refuses; that container's owner removes it after).
 */
export async function leaseImage(docker: Docker, image: Image): Promise<ImageLease> {
  const id = configBlob(image, 'docker').digest;
  if (await docker.getImage(id).inspect().then(() => true, () => false)) return { id, release: async () => {} };
  await ensureImage(docker, image);
  return { id, release: () => docker.getImage(id).remove({ noprune: false }).then(() => undefined, () => undefined) };
}
