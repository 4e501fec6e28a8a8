import { connect } from 'node:net';

/** One command on HAProxy's runtime API (admin socket, non-interactive: it answers and closes). */
export function haproxyCommand(socket: string, cmd: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    let out = '';
    s.setEncoding('utf8');
    s.setTimeout(timeoutMs, () => s.destroy(new Error(`haproxy ${socket}: no answer to "${cmd}" in ${timeoutMs} ms`)));
    s.on('connect', () => s.write(cmd + '\n'));
    s.on('data', (d: string) => (out += d));
    s.on('end', () => resolve(out.trim()));
    s.on('error', (e) => reject(new Error(`haproxy ${socket}: ${e.message}`)));
  });
}

/** `show stat` CSV as rows keyed by column name. */
export function parseStat(csv: string): Record<string, string>[] {
  const lines = csv.split('\n').filter(Boolean);
  const head = lines[0]?.replace(/^# /, '').split(',') ?? [];
  return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
}
