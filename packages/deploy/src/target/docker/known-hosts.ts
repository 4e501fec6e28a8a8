import { createHash, createHmac } from 'node:crypto';

/** The keys an OpenSSH known_hosts text lists for host:port (`host` on 22, `[host]:port` otherwise); hashed names too. */
export function knownKeys(text: string, host: string, port = 22): { keys: string[]; revoked: string[] } {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const keys: string[] = [];
  const revoked: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    let marker: string | undefined;
    if (f[0].startsWith('@')) marker = f.shift();
    if (f.length < 3 || marker === '@cert-authority') continue; // host certificates are not supported: such a line lists no key
    const [patterns, , key] = f;
    if (!matches(patterns, name)) continue;
    (marker === '@revoked' ? revoked : keys).push(key);
  }
  return { keys, revoked };
}

function matches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let hit = false;
  for (const p of patterns.split(',')) {
    const neg = p.startsWith('!');
    const re = new RegExp(`^${(neg ? p.slice(1) : p).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
    if (re.test(name)) {
      if (neg) return false;
      hit = true;
    }
  }
  return hit;
}

/** `ssh-ed25519 SHA256:…` for a key blob, as ssh-keygen -l prints it. */
export function fingerprint(blob: Buffer): string {
  const type = blob.subarray(4, 4 + blob.readUInt32BE(0)).toString();
  return `${type} SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
