import type { Readable } from 'node:stream';
import type { Digest } from '@pipeline/core';

/** Where a blob already lives, so a registry output can mount it instead of uploading it. */
export interface BlobLocation {
  registry: string;
  repository: string;
}

/**
 * An immutable layer: a blob with its digests. `open()` yields the blob's bytes exactly as
 * described by `digest` (compressed if the media type says so). Base layers from a registry
 * are opened only when an output really needs their bytes.
 */
export interface Layer {
  readonly digest: Digest;
  readonly diffId: Digest;
  readonly size: number;
  readonly mediaType: string;
  readonly annotations?: Record<string, string>;
  readonly location?: BlobLocation;
  open(): Promise<Readable>;
}
