/** One tar header as the index needs it (PAX path/linkpath/uid/gid/size applied). */
export interface ScannedHeader {
  name: string;
  type: 'file' | 'link' | 'symlink' | 'directory' | 'other';
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
}

const TYPE: Record<string, ScannedHeader['type']> = { '0': 'file', '\0': 'file', '7': 'file', '1': 'link', '2': 'symlink', '5': 'directory' };

const str = (b: Buffer, off: number, len: number) => {
  const end = b.indexOf(0, off);
  return b.toString('utf8', off, end < 0 || end > off + len ? off + len : end);
};

/** An octal field, or GNU's base-256 form (high bit set) for large values. */
function num(b: Buffer, off: number, len: number): number {
  if (b[off] & 0x80) {
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + b[i];
    return n;
  }
  const t = b.toString('latin1', off, off + len).replace(/[\0 ]+$/, '').trim();
  return t ? parseInt(t, 8) : 0;
}

function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(data.toString('latin1', i, sp));
    if (!len) break;
    const rec = data.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/**
 * Reads tar headers from a stream of tar bytes and skips every file's content without copying it:
 * the index of a 100 MB layer costs its gunzip, not a stream object per entry (tar-stream's
 * per-entry machinery cost several times the gunzip here). ustar, GNU long names (L/K), PAX (x/g).
 */
export class HeaderScanner {
  private pending = Buffer.alloc(0);
  /** Content bytes (and padding) still to skip. */
  private skip = 0;
  /** Bytes of a meta entry (PAX, GNU long name) still to collect, and what to do with them. */
  private collect?: { need: number; parts: Buffer[]; kind: string };
  private pax: Record<string, string> = {};
  private longName?: string;
  private longLink?: string;
  private ended = false;

  constructor(private readonly onHeader: (h: ScannedHeader) => void) {}

  /** Feeds bytes; returns an error for a malformed archive. */
  push(chunk: Buffer): Error | undefined {
    let b = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    try {
      while (off < b.length && !this.ended) {
        if (this.skip) {
          const n = Math.min(this.skip, b.length - off);
          this.skip -= n;
          off += n;
          continue;
        }
        if (this.collect) {
          const n = Math.min(this.collect.need, b.length - off);
          this.collect.parts.push(b.subarray(off, off + n));
          this.collect.need -= n;
          off += n;
          if (!this.collect.need) this.finishMeta();
          continue;
        }
        if (b.length - off < 512) break;
        this.header(b.subarray(off, off + 512));
        off += 512;
      }
    } catch (e) {
      return e as Error;
    }
    this.pending = off < b.length && !this.ended ? Buffer.from(b.subarray(off)) : Buffer.alloc(0);
    b = Buffer.alloc(0);
    return undefined;
  }

  end(): void {
    this.ended = true;
  }

  private header(h: Buffer): void {
    if (h.every((x) => x === 0)) return; // end-of-archive blocks (and padding before them)
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    if (sum !== num(h, 148, 8)) throw new Error('invalid tar header checksum');
    const type = String.fromCharCode(h[156] || 0x30);
    const size = this.pax.size !== undefined ? Number(this.pax.size) : num(h, 124, 12);
    const padded = size + ((512 - (size % 512)) % 512);
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      this.collect = { need: padded, parts: [], kind: type };
      if (!padded) this.finishMeta();
      return;
    }
    const magic = h.toString('latin1', 257, 263);
    const prefix = magic.startsWith('ustar') ? str(h, 345, 155) : '';
    const name = this.pax.path ?? this.longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
    const linkname = this.pax.linkpath ?? this.longLink ?? str(h, 157, 100);
    this.onHeader({
      name,
      type: TYPE[type] ?? (name.endsWith('/') ? 'directory' : 'other'),
      mode: num(h, 100, 8) & 0o7777,
      uid: this.pax.uid !== undefined ? Number(this.pax.uid) : num(h, 108, 8),
      gid: this.pax.gid !== undefined ? Number(this.pax.gid) : num(h, 116, 8),
      linkname,
    });
    this.pax = {};
    this.longName = this.longLink = undefined;
    // Only regular files carry content (hard links, links, dirs and devices have none to skip).
    this.skip = TYPE[type] === 'file' ? padded : 0;
  }

  private finishMeta(): void {
    const c = this.collect!;
    this.collect = undefined;
    const data = Buffer.concat(c.parts);
    if (c.kind === 'x') this.pax = paxRecords(data);
    else if (c.kind === 'L') this.longName = str(data, 0, data.length);
    else if (c.kind === 'K') this.longLink = str(data, 0, data.length);
  }
}
