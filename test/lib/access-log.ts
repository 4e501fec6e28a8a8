// Reads a test registry's HTTP access log from a mark on, so a test can count what really went over
// the wire, e.g. prove a cross-repo mount uploaded no base bytes:
//   const log = accessLog('anon');  ...push...
//   const uploads = (await log.since()).filter((e) => e.method === 'PATCH' || (e.method === 'PUT' && e.path.includes('/blobs/uploads/')));
// The registry writes a line just after it answers, so since() waits until the file stops growing.
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { services, type RegistryName } from './services.js';

export interface AccessEntry {
  method: string;
  path: string; // with the query string (`?digest=…`, `?mount=…&from=…`)
  status: number;
  bytes: number; // response body bytes the registry sent
  user: string; // '-' when anonymous
  agent: string;
}

// 127.0.0.1 - user [23/Nov/2026:08:18:22 +0000] "GET /v2/ HTTP/1.1" 200 2 "referer" "agent"
const LINE = /^\S+ \S+ (\S+) \[[^\]]+\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+|-) "[^"]*" "([^"]*)"/;

export function parseAccessLine(line: string): AccessEntry | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  return { user: m[1]!, method: m[2]!, path: m[3]!, status: Number(m[4]), bytes: m[5] === '-' ? 0 : Number(m[5]), agent: m[6]! };
}

const size = (file: string): number => statSync(file, { throwIfNoEntry: false })?.size ?? 0;

function readFrom(file: string, offset: number): string {
  const end = size(file);
  if (end <= offset) return '';
  const buf = Buffer.alloc(end - offset);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, offset);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}

/** Marks the end of the registry's access log now; since() returns the requests logged after the mark. */
export function accessLog(registry: RegistryName): { since(): Promise<AccessEntry[]> } {
  const file = services().registries[registry].accessLog;
  const mark = size(file);
  return {
    async since() {
      for (let last = -1, i = 0; i < 20 && size(file) !== last; i++) {
        last = size(file);
        await sleep(50);
      }
      const text = readFrom(file, mark);
      return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').flatMap((l) => parseAccessLine(l) ?? []);
    },
  };
}
