/** Docker multiplexes stdout/stderr into 8-byte-headed frames when there is no TTY; this joins the payloads. */
export function demux(buf: Buffer): string {
  const out: Buffer[] = [];
  let off = 0;
  while (off + 8 <= buf.length && buf[off] <= 2 && buf[off + 1] === 0) {
    const size = buf.readUInt32BE(off + 4);
    out.push(buf.subarray(off + 8, off + 8 + size));
    off += 8 + size;
  }
  if (off === 0) return buf.toString('utf8');
  return Buffer.concat(out).toString('utf8');
}

export async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, rej) => {
      t = setTimeout(() => rej(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
}
