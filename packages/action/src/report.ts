import type { DeployReport, Facts, LintFinding } from '@pipeline/cli';

/** One image of the run, as the outputs and the summary describe it. */
export interface ImageReport {
  name: string;
  /** built in this run, or reused: an image with the same inputs was in the registry or built before. */
  action: 'built' | 'reused';
  digest?: string;
  /** `registry/repo` when the image has one. */
  repository?: string;
  /** Full references: `registry/repo:tag`. */
  tags: string[];
  pushed: boolean;
  size?: number;
  layers?: number;
  newBytes?: number;
  reusedBytes?: number;
  durationMs?: number;
  tests: { name: string; ok: boolean; detail?: string }[];
}

/** Everything the step did, filled in as it goes (a failure keeps what was done before it). */
export interface ActionReport {
  mode?: 'image' | 'pipeline';
  images: ImageReport[];
  deploy?: DeployReport;
  lint: LintFinding[];
  facts?: Facts;
  error?: { message: string; exitCode: number };
  durationMs: number;
}

/** The image the single-valued outputs (digest, image, tags) describe: the deployed one, else the last of the run. */
export function mainImage(r: ActionReport): ImageReport | undefined {
  if (r.deploy) {
    const repo = r.deploy.image.split('@')[0];
    const hit = r.images.find((i) => i.repository === repo);
    if (hit) return hit;
  }
  return r.images[r.images.length - 1];
}

/** `registry/repo@sha256:…`: empty for an image without a repository (built, written nowhere). */
export const reference = (i: ImageReport | undefined): string => (i?.digest && i.repository ? `${i.repository}@${i.digest}` : '');
