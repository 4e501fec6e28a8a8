// A tiny bounded HTTP load loop for loopback / our own namespace addresses: counts every outcome.
import { Agent, request } from 'node:http';

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  /** Status code → count (0 = connection error / timeout). */
  statuses: Record<number, number>;
  /** Response body (trimmed) → count, e.g. which version answered. */
  bodies: Record<string, number>;
  errors: string[];
  durationMs: number;
}

export interface Load { stop(): Promise<LoadResult>; snapshot(): LoadResult }

const ALLOWED = /^(127\.\d+\.\d+\.\d+|10\.231\.0\.\d+|localhost)$/;

/** Starts `concurrency` request loops on `url` until stop(), `maxRequests` or `maxMs`, whichever is first. */
export function startLoad(url: string, o: { concurrency?: number; maxRequests?: number; maxMs?: number; timeoutMs?: number } = {}): Load {
  const u = new URL(url);
  if (!ALLOWED.test(u.hostname)) throw new Error(`load only on loopback or 10.231.0.0/24, got ${u.hostname}`);
  const max = o.maxRequests ?? 200_000;
  const deadline = Date.now() + (o.maxMs ?? 300_000);
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency ?? 4 });
  const r: LoadResult = { sent: 0, ok: 0, failed: 0, statuses: {}, bodies: {}, errors: [], durationMs: 0 };
  const t0 = Date.now();
  let stopping = false;
  const one = () => new Promise<void>((done) => {
    r.sent++;
    const req = request(u, { agent, timeout: o.timeoutMs ?? 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        r.statuses[code] = (r.statuses[code] ?? 0) + 1;
        const b = body.trim().slice(0, 40);
        r.bodies[b] = (r.bodies[b] ?? 0) + 1;
        if (code >= 200 && code < 400) r.ok++;
        else {
          r.failed++;
          if (r.errors.length < 20) r.errors.push(`HTTP ${code} ${b}`);
        }
        done();
      });
      res.on('error', (e) => fail(e));
    });
    const fail = (e: Error) => {
      r.failed++;
      r.statuses[0] = (r.statuses[0] ?? 0) + 1;
      if (r.errors.length < 20) r.errors.push(e.message);
      done();
    };
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', fail);
    req.end();
  });
  const loops = Array.from({ length: o.concurrency ?? 4 }, async () => {
    while (!stopping && r.sent < max && Date.now() < deadline) {
      await one();
      await new Promise((res) => setImmediate(res));
    }
  });
  return {
    snapshot: () => ({ ...r, statuses: { ...r.statuses }, bodies: { ...r.bodies }, errors: [...r.errors], durationMs: Date.now() - t0 }),
    async stop() {
      stopping = true;
      await Promise.all(loops);
      agent.destroy();
      return { ...r, durationMs: Date.now() - t0 };
    },
  };
}
