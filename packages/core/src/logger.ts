/** What library code may say. The CLI decides how it looks (TTY bars, CI lines, JSON, nothing). */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  /** A step's progress: `done`/`total` in bytes or items; a frontend may draw a bar or ignore it. */
  progress(id: string, label: string, done: number, total?: number): void;
  /** Start of a group of lines (GitHub/GitLab fold them). */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  progress() {},
  group: (_t, fn) => fn(),
};

const secrets = new Set<string>();

/** Registers a value that must never be printed; every frontend passes text through `mask`. */
export function addSecret(value: string | undefined): void {
  if (value && value.length >= 3) secrets.add(value);
}

export function mask(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}
