// One conformance case: a Dockerfile and its build context, built by `docker build` (BuildKit) and by
// pipeline, whose images must be the same. Cases are table entries (see cases/*.ts and README.md).
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type Executor = 'native' | 'engine' | 'chroot';

/** A context entry: text or bytes (mode 0644), or an object saying its kind and mode. */
export type FileSpec =
  | string
  | Uint8Array
  | { content: string | Uint8Array; mode?: number }
  | { dir: true; mode?: number }
  | { symlink: string };

export interface Case {
  /** Unique, kebab-case: names the images and the test. */
  name: string;
  /** Where the case comes from: the reference's rule it checks, or the real-world file it is cut from. */
  why: string;
  /** The Dockerfile; `{{busybox}}`, `{{node}}`, `{{distro}}` become the test registry's base images. */
  dockerfile: string;
  /** The context (besides the Dockerfile), by slash path; parents are created 0755. */
  files?: Record<string, FileSpec>;
  dockerignore?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  /** Which pipeline executors build it (default: native; a case with RUN names engine and/or chroot). */
  executors?: Executor[];
  /**
   * `error`: both builders must refuse the Dockerfile (pipeline with exit 2 and a Dockerfile:line).
   * `pipeline-refuses`: Docker builds something a user cannot have meant (say why in `why`) and
   * pipeline refuses it with exit 2 at the line; counted apart from the cases that build the same image.
   */
  expect?: 'error' | 'pipeline-refuses';
}

export interface Bases {
  busybox: string;
  node: string;
  distro: string;
}

export function dockerfileText(c: Case, bases: Bases): string {
  return c.dockerfile.replace(/\{\{(busybox|node|distro)\}\}/g, (_, k: keyof Bases) => bases[k]);
}

/** Writes the case's context into `dir` (which exists): files, then modes (a 0500 dir last). */
export function writeContext(c: Case, dir: string, bases: Bases): void {
  const modes: [string, number][] = [];
  writeFileSync(join(dir, 'Dockerfile'), dockerfileText(c, bases));
  if (c.dockerignore !== undefined) writeFileSync(join(dir, '.dockerignore'), c.dockerignore);
  for (const [rel, spec] of Object.entries(c.files ?? {})) {
    const abs = join(dir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    if (typeof spec === 'string' || spec instanceof Uint8Array) writeFileSync(abs, spec);
    else if ('symlink' in spec) symlinkSync(spec.symlink, abs);
    else if ('dir' in spec) {
      mkdirSync(abs, { recursive: true });
      if (spec.mode !== undefined) modes.push([abs, spec.mode]);
    } else {
      writeFileSync(abs, spec.content);
      if (spec.mode !== undefined) modes.push([abs, spec.mode]);
    }
  }
  // Deepest first, so a directory's own restrictive mode never blocks setting its children's.
  for (const [abs, mode] of modes.sort((a, b) => b[0].length - a[0].length)) chmodSync(abs, mode);
}
