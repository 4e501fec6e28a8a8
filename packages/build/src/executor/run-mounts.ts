import type { Change } from './changes.js';

/**
 * Paths the runtime provides while a RUN step runs (pseudo filesystems, the engine's bind mounts of
 * hosts/resolv.conf/hostname, its marker file): what a step does there never becomes part of its
 * layer, as in `docker build`. One list for both executors.
 */
export const RUNTIME_PATHS: ReadonlySet<string> = new Set(['/proc', '/sys', '/dev', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/.dockerenv']);

/** True for a runtime path or anything below one (image paths, absolute). */
export function isRuntimePath(p: string): boolean {
  if (RUNTIME_PATHS.has(p)) return true;
  for (let i = p.indexOf('/', 1); i > 0; i = p.indexOf('/', i + 1)) if (RUNTIME_PATHS.has(p.slice(0, i))) return true;
  return false;
}

/** Mount points a step needs as directories. */
export const MOUNT_POINTS = ['/dev', '/proc', '/sys'] as const;

/**
 * BuildKit's RUN leaves the mount points it had to create in the step's layer (empty 0755 root
 * directories; seen through COPY --from of the stage's root): the changes that add them, for the
 * mount points the image before the step `lacks`.
 */
export function mountPointChanges(lacks: (path: string) => boolean): Change[] {
  return MOUNT_POINTS.filter(lacks).map((path) => ({ path, kind: 'add' }));
}
