import { readFile, lstat } from 'node:fs/promises';
import type { Image } from '../model/image.js';
import { privateRoot, unpackImage, type PrivateRoot } from '../executor/rootfs.js';
import { diskLookup, onDisk, resolveInRoot } from '../fs/index.js';
import type { StructureCheck, TestResult } from './types.js';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Checks an image's files and config without any daemon: the layers are unpacked into a temp dir. */
export async function checkStructure(image: Image, checks: StructureCheck[]): Promise<TestResult[]> {
  const c = image.config.config;
  const results: TestResult[] = [];
  let priv: PrivateRoot | undefined;
  const rootfs = async () => {
    if (!priv) {
      priv = await privateRoot('pipeline-verify-');
      await unpackImage(image, priv.root);
    }
    return priv.root;
  };
  // As the container sees the path: links on the way resolved inside the image, the last one kept.
  const inImage = (root: string, path: string) => onDisk(root, resolveInRoot(path, diskLookup(root), { followLast: false }));
  try {
    for (const ch of checks) {
      switch (ch.kind) {
        case 'file': {
          const root = await rootfs();
          const p = inImage(root, ch.path);
          const st = await lstat(p).catch(() => undefined);
          if (ch.state === 'absent') {
            results.push({ name: `file ${ch.path} absent`, ok: !st, detail: st ? 'it exists' : undefined });
            break;
          }
          if (!st) {
            results.push({ name: `file ${ch.path} exists`, ok: false, detail: 'not found' });
            break;
          }
          if (ch.contains !== undefined) {
            const text = st.isFile() ? await readFile(p, 'utf8') : '';
            results.push({ name: `file ${ch.path} contains ${JSON.stringify(ch.contains)}`, ok: text.includes(ch.contains), detail: text.includes(ch.contains) ? undefined : 'text not found' });
          } else results.push({ name: `file ${ch.path} exists`, ok: true });
          break;
        }
        case 'command':
          results.push({ name: `command ${JSON.stringify(ch.argv)}`, ok: same(c.Cmd ?? [], ch.argv), detail: `CMD is ${JSON.stringify(c.Cmd ?? null)}` });
          break;
        case 'entrypoint':
          results.push({ name: `entrypoint ${JSON.stringify(ch.argv)}`, ok: same(c.Entrypoint ?? [], ch.argv), detail: `ENTRYPOINT is ${JSON.stringify(c.Entrypoint ?? null)}` });
          break;
        case 'env': {
          const env = new Map((c.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
          for (const [k, v] of Object.entries(ch.env)) results.push({ name: `env ${k}=${v}`, ok: env.get(k) === v, detail: env.has(k) ? `${k}=${env.get(k)}` : `${k} is not set` });
          break;
        }
        case 'ports':
          for (const p of ch.ports) {
            const key = p.includes('/') ? p : `${p}/tcp`;
            results.push({ name: `exposes ${key}`, ok: !!c.ExposedPorts?.[key], detail: `exposed: ${Object.keys(c.ExposedPorts ?? {}).join(', ') || 'none'}` });
          }
          break;
        case 'user': {
          const u = c.User ?? '';
          const root = u === '' || u === 'root' || u === '0' || u.startsWith('0:') || u.startsWith('root:');
          const ok = ch.user === 'non-root' ? !root : u === ch.user;
          results.push({ name: `runs as ${ch.user}`, ok, detail: `USER is ${JSON.stringify(u || 'root (unset)')}` });
          break;
        }
        case 'workdir':
          results.push({ name: `workdir ${ch.path}`, ok: (c.WorkingDir || '/') === ch.path, detail: `WORKDIR is ${c.WorkingDir || '/'}` });
          break;
        case 'max-size': {
          const size = image.layers.reduce((n, l) => n + l.size, 0);
          results.push({ name: `size ≤ ${ch.bytes} bytes`, ok: size <= ch.bytes, detail: `${size} bytes (compressed layers)` });
          break;
        }
        case 'label': {
          const v = c.Labels?.[ch.label];
          results.push({ name: `label ${ch.label}${ch.value !== undefined ? `=${ch.value}` : ''}`, ok: v !== undefined && (ch.value === undefined || v === ch.value), detail: v === undefined ? 'not set' : `is ${JSON.stringify(v)}` });
          break;
        }
      }
    }
  } finally {
    await priv?.dispose();
  }
  return results.map((r) => (r.ok ? { name: r.name, ok: true } : r));
}
