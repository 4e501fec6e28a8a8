import { cut } from '@pipeline/core';
import type { Ctx } from '../kit.js';
import { bool, fail, keys, obj, str, strList, strMap, strish } from '../kit.js';
import type { Path } from '../source.js';
import type { StructureCheck } from '../types.js';
import { parseSize } from '../units.js';

/** The key that says what an entry checks, and the keys allowed beside it. */
const KINDS: Record<StructureCheck['kind'], readonly string[]> = {
  file: ['file', 'exists', 'absent', 'contains'],
  command: ['command'],
  entrypoint: ['entrypoint'],
  env: ['env'],
  ports: ['ports'],
  user: ['user'],
  workdir: ['workdir'],
  'max-size': ['max-size'],
  label: ['label', 'value'],
};
const KIND_NAMES = Object.keys(KINDS) as StructureCheck['kind'][];

/** One `structure:` entry, e.g. `{ file: /etc/shadow, absent: true }` or `{ max-size: 150MB }`. */
export function parseStructureCheck(ctx: Ctx, path: Path, raw: unknown): StructureCheck {
  const r = obj(ctx, path, raw);
  const kinds = KIND_NAMES.filter((k) => k in r);
  if (kinds.length !== 1) {
    fail(ctx, path, `Expected exactly one of: ${KIND_NAMES.join(', ')}, got ${kinds.length ? kinds.join(' and ') : Object.keys(r).map((k) => `'${cut(k)}'`).join(', ') || 'an empty mapping'}`);
  }
  const kind = kinds[0];
  keys(ctx, path, r, KINDS[kind]);
  const at = [...path, kind];
  switch (kind) {
    case 'file': {
      const file = absPath(ctx, at, r.file);
      const exists = r.exists === undefined ? undefined : bool(ctx, [...path, 'exists'], r.exists);
      const absent = r.absent === undefined ? undefined : bool(ctx, [...path, 'absent'], r.absent);
      if (exists !== undefined && absent !== undefined && exists === absent) fail(ctx, [...path, 'absent'], 'exists and absent contradict each other; keep one');
      const state = absent || exists === false ? 'absent' : 'exists';
      const contains = r.contains === undefined ? undefined : strish(ctx, [...path, 'contains'], r.contains);
      if (contains !== undefined && state === 'absent') fail(ctx, [...path, 'contains'], 'contains: needs the file to exist, but absent: true says it must not');
      return { kind, path: file, state, contains };
    }
    case 'command':
    case 'entrypoint': {
      const argv = strList(ctx, at, r[kind]);
      return { kind, argv };
    }
    case 'env':
      return { kind, env: strMap(ctx, at, r.env) };
    case 'ports': {
      const ports = strList(ctx, at, r.ports);
      ports.forEach((p, i) => {
        if (!/^\d{1,5}(\/(tcp|udp|sctp))?$/.test(p) || Number(p.split('/')[0]) > 65535) fail(ctx, [...at, i], `Expected a port like 8080/tcp, got '${cut(p)}'`);
      });
      return { kind, ports: ports.map((p) => (p.includes('/') ? p : `${p}/tcp`)) };
    }
    case 'user':
      return { kind, user: strish(ctx, at, r.user) };
    case 'workdir':
      return { kind, path: absPath(ctx, at, r.workdir) };
    case 'max-size': {
      const text = strish(ctx, at, r['max-size']);
      const bytes = parseSize(text);
      if (bytes === undefined || bytes <= 0) fail(ctx, at, `Expected a size like 150MB, 200MiB or 1.5GB, got '${cut(text)}'`);
      return { kind, bytes };
    }
    case 'label':
      return { kind, label: str(ctx, at, r.label, 'a label name'), value: r.value === undefined ? undefined : strish(ctx, [...path, 'value'], r.value) };
  }
}

function absPath(ctx: Ctx, path: Path, raw: unknown): string {
  const p = str(ctx, path, raw, 'an absolute path in the image');
  if (!p.startsWith('/')) fail(ctx, path, `Expected an absolute path in the image, got '${cut(p)}'`);
  return p;
}
