const SIZE: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `150MB` (decimal), `200MiB` (binary), `1.5GB`, `4096` (bytes) → bytes; undefined if malformed. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? (m[2] || 'b').toLowerCase() : '';
  if (!m || !(unit in SIZE)) return undefined;
  return Math.round(Number(m[1]) * SIZE[unit]);
}
