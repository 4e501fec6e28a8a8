import type { Readable } from 'node:stream';
import type { Digest } from '@pipeline/core';
import { hasBlob, mountBlob } from './blobs.js';
import type { RegistryClient } from './client.js';
import { uploadBlob } from './upload.js';

export interface BlobJob {
  digest: Digest;
  size: number;
  kind: 'layer' | 'config';
  /** Where the blob already lives (a registry base's layer): mounted from there when it is the same registry. */
  location?: { registry: string; repository: string };
  open: () => Promise<Readable>;
}

export interface BlobOutcome {
  status: 'exists' | 'mounted' | 'uploaded';
  /** Bytes handed to the wire. */
  sent: number;
  /** The registry echoed the digest; false → HEAD before a manifest names it. */
  confirmed: boolean;
}

export type BlobReport = (status: 'mounting' | 'uploading', sent: number) => void;

/**
 * Makes blobs present in one repository: skipped when there, mounted from their repository in the
 * same registry, else uploaded. A blob can be started early (`prefetch`, while the build still
 * compresses later layers) and is then only awaited by the push; an early attempt that failed is
 * retried in full by `ensure`, so its error is the push's, never lost. Blobs only: nothing here
 * writes a manifest or a tag.
 */
export class BlobPusher {
  private readonly started = new Map<Digest, Promise<BlobOutcome>>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly client: RegistryClient,
    private readonly repo: string,
    /** Early blobs in flight at once. */
    private readonly width = 3,
  ) {}

  /** Starts a blob in the background; a second call for the same digest does nothing. */
  prefetch(job: BlobJob): void {
    if (this.started.has(job.digest)) return;
    const p = this.slot(() => this.push(job));
    p.catch(() => {}); // surfaced by ensure()
    this.started.set(job.digest, p);
  }

  /** The blob's outcome: an early attempt's if it succeeded, else a fresh attempt now. */
  async ensure(job: BlobJob, report?: BlobReport): Promise<BlobOutcome & { early: boolean }> {
    const early = this.started.get(job.digest);
    if (early) {
      try {
        return { ...(await early), early: true };
      } catch {
        this.started.delete(job.digest);
      }
    }
    return { ...(await this.push(job, report)), early: false };
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    while (this.active >= this.width) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private async push(job: BlobJob, report?: BlobReport): Promise<BlobOutcome> {
    const { client, repo } = this;
    if (await hasBlob(client, repo, job.digest)) return { status: 'exists', sent: 0, confirmed: true };
    let location: string | undefined;
    const loc = job.location;
    if (loc && loc.registry === client.registry && loc.repository !== repo) {
      report?.('mounting', 0);
      const m = await mountBlob(client, repo, job.digest, loc.repository);
      if (m.mounted) return { status: 'mounted', sent: 0, confirmed: true };
      location = m.location;
    }
    let sent = 0;
    const r = await uploadBlob(client, repo, job, job.open, {
      location,
      onBytes: (n) => {
        sent += n;
        report?.('uploading', sent);
      },
    });
    return { status: 'uploaded', sent, confirmed: r.confirmed };
  }
}
