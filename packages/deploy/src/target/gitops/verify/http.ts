import { digestHex, type Digest } from '@pipeline/core';
import type { CheckResult, VerifyConfig, VerifyTarget } from './types.js';

const LIMIT = 1 << 20;

/** Hex runs of 7+ characters, each a candidate short or full version id. */
const tokens = (text: string) => text.toLowerCase().match(/[0-9a-f]{7,}/g) ?? [];

/** Shows the version: the digest (its hex, 12+ characters of it) or the SHA (7+ characters), as a whole token. */
export function showsVersion(text: string, want: VerifyTarget, match: 'digest' | 'sha'): boolean {
  const full = match === 'digest' ? digestHex(want.digest as Digest) : want.sha?.toLowerCase();
  if (!full) return false;
  const min = match === 'digest' ? 12 : 7;
  return tokens(text).some((t) => t.length >= min && full.startsWith(t));
}

async function readLimited(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < LIMIT) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).toString('utf8').slice(0, LIMIT);
}

/** One GET: a 2xx whose header or body shows the version. */
export async function httpCheck(v: NonNullable<VerifyConfig['http']>, want: VerifyTarget, timeoutMs: number, signal?: AbortSignal): Promise<CheckResult> {
  const s = signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(v.url, { signal: s, headers: { 'user-agent': 'pipeline-gitops-verify', 'cache-control': 'no-cache' }, redirect: 'follow' });
    const text = v.header ? (res.headers.get(v.header) ?? '') : await readLimited(res);
    if (v.header) await res.body?.cancel().catch(() => undefined);
    const shown = v.header ? `${v.header}: ${text || '(absent)'}` : `body ${JSON.stringify(text.slice(0, 200))}`;
    if (res.status < 200 || res.status > 299) return { ok: false, detail: `GET ${v.url}: HTTP ${res.status}` };
    if (!showsVersion(text, want, v.match)) return { ok: false, detail: `GET ${v.url}: HTTP ${res.status}, ${shown} does not show the ${v.match} ${v.match === 'digest' ? want.digest : want.sha}` };
    return { ok: true, detail: `GET ${v.url}: HTTP ${res.status}, ${shown}` };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    return { ok: false, detail: `GET ${v.url}: ${err.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message)}` };
  }
}
