// A fault-injecting proxy (node:net) between a client and a real registry on loopback. It forces
// `Connection: close`, so every request is its own connection and rules can count requests exactly.
import { createServer, connect, type Socket } from 'node:net';

export type Fault =
  | { kind: 'reset' }
  | { kind: 'status'; status: number; retryAfter?: number; /** the spec error code in the body (default UNAVAILABLE) */ code?: string }
  | { kind: 'slow-body'; delayMs: number; pieceBytes?: number }
  | { kind: 'drop-upload'; afterBytes: number }
  | { kind: 'cut-response'; afterBytes: number }
  /** Answers 307 to the same path on another host (a storage backend's signed URL). */
  | { kind: 'redirect'; to: string }
  /** Shifts the upstream answer's Date header by this much (a registry whose clock is off). */
  | { kind: 'clock'; offsetMs: number };

export interface FaultRule {
  method?: string;
  /** Matched against the request path (with query). */
  path?: RegExp;
  /** Which matching requests fail, counted from 1; default every match. */
  nth?: number[];
  fault: Fault;
}

export interface SeenRequest {
  n: number;
  method: string;
  path: string;
  fault?: Fault['kind'];
  /** Whether the request carried an Authorization header (redirects must not leak it). */
  authorization: boolean;
}

export interface ProxyOptions {
  /**
   * Pages `/tags/list` answers by `n`/`last` with a `Link: rel="next"` header, as the spec describes:
   * Debian's distribution 2.8 ignores `n`, so this is how a client's pagination meets real tag data.
   */
  paginateTags?: boolean;
}

export interface FaultyProxy {
  /** `127.0.0.1:<port>` – use as the registry name. */
  host: string;
  requests: SeenRequest[];
  rules: FaultRule[];
  close(): Promise<void>;
}

const HEAD_END = Buffer.from('\r\n\r\n');

export async function startFaultyProxy(target: string, rules: FaultRule[] = [], options: ProxyOptions = {}): Promise<FaultyProxy> {
  const [thost, tport] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const requests: SeenRequest[] = [];
  const matches = new Map<FaultRule, number>();
  const sockets = new Set<Socket>();
  const proxy: FaultyProxy = { host: '', requests, rules, close: async () => {} };

  /** Every rule counts its own matches; the first rule whose count is listed in `nth` fires. */
  function choose(method: string, path: string): Fault | undefined {
    let hit: Fault | undefined;
    for (const r of proxy.rules) {
      if (r.method && r.method !== method) continue;
      if (r.path && !r.path.test(path)) continue;
      const k = (matches.get(r) ?? 0) + 1;
      matches.set(r, k);
      if (!hit && (!r.nth || r.nth.includes(k))) hit = r.fault;
    }
    return hit;
  }

  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      // A TLS ClientHello (clients probe loopback registries over TLS first): answer as the plain
      // HTTP registry behind us would, without counting it as a request.
      if (!buf.length && d[0] === 0x16) return void client.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf(HEAD_END);
      if (end < 0) return;
      client.off('data', onData);
      client.pause();
      handle(client, buf.subarray(0, end).toString('latin1'), buf.subarray(end + 4));
    };
    client.on('data', onData);
  });

  function handle(client: Socket, head: string, rest: Buffer): void {
    const [line, ...headers] = head.split('\r\n');
    const [method, path] = line.split(' ');
    const fault = choose(method, path);
    requests.push({ n: requests.length + 1, method, path, fault: fault?.kind, authorization: headers.some((h) => /^authorization:/i.test(h)) });
    if (fault?.kind === 'redirect') return void client.end(`HTTP/1.1 307 Temporary Redirect\r\nlocation: http://${fault.to}${path}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
    if (fault?.kind === 'reset') return void client.resetAndDestroy();
    if (fault?.kind === 'status') {
      const body = JSON.stringify({ errors: [{ code: fault.code ?? 'UNAVAILABLE', message: `injected ${fault.status}` }] });
      client.end(`HTTP/1.1 ${fault.status} Injected\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n${fault.retryAfter !== undefined ? `retry-after: ${fault.retryAfter}\r\n` : ''}connection: close\r\n\r\n${body}`);
      return;
    }
    let fwdLine = line;
    let page: { n: number; last?: string; url: URL } | undefined;
    if (options.paginateTags && method === 'GET' && /\/tags\/list(\?|$)/.test(path)) {
      const url = new URL(path, 'http://x');
      const n = Number(url.searchParams.get('n'));
      if (n > 0) page = { n, last: url.searchParams.get('last') ?? undefined, url };
      fwdLine = `GET ${url.pathname} HTTP/1.1`;
    }
    const kept = headers.filter((h) => !/^(connection|keep-alive|proxy-connection):/i.test(h));
    const upstream = connect(tport, thost);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.write(`${fwdLine}\r\n${kept.join('\r\n')}\r\nconnection: close\r\n\r\n`);
    if (fault?.kind === 'drop-upload') {
      // Forward only the first bytes of the body, then cut both sides as a flaky network would.
      let left = fault.afterBytes;
      const forward = (d: Buffer): void => {
        const part = d.subarray(0, Math.max(0, left));
        left -= part.length;
        if (part.length) upstream.write(part);
        if (left <= 0) {
          client.off('data', forward);
          setTimeout(() => {
            client.resetAndDestroy();
            upstream.destroy();
          }, 20);
        }
      };
      if (rest.length) forward(rest);
      client.on('data', forward);
      client.resume();
      upstream.pipe(client);
      return;
    }
    if (rest.length) upstream.write(rest);
    client.pipe(upstream);
    client.resume();
    if (page) return void paginate(upstream, client, page);
    if (fault?.kind === 'cut-response') return void cutPipe(upstream, client, fault.afterBytes);
    if (fault?.kind === 'slow-body') return void slowPipe(upstream, client, fault.delayMs, fault.pieceBytes ?? 512);
    if (fault?.kind === 'clock') return void shiftDate(upstream, client, fault.offsetMs);
    upstream.pipe(client);
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  proxy.host = `127.0.0.1:${addr.port}`;
  proxy.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return proxy;
}

/** Passes the upstream's answer on with its Date header moved by `offsetMs`. */
function shiftDate(from: Socket, to: Socket, offsetMs: number): void {
  let head = Buffer.alloc(0);
  const onData = (d: Buffer): void => {
    head = Buffer.concat([head, d]);
    const end = head.indexOf(HEAD_END);
    if (end < 0) return;
    from.off('data', onData);
    const text = head.subarray(0, end).toString('latin1').replace(/^date: (.*)$/im, (_m, v: string) => `Date: ${new Date(Date.parse(v) + offsetMs).toUTCString()}`);
    to.write(Buffer.concat([Buffer.from(text, 'latin1'), head.subarray(end)]));
    from.pipe(to);
  };
  from.on('data', onData);
  from.on('end', () => {
    if (!to.writableEnded && head.indexOf(HEAD_END) < 0) to.end(head);
  });
}

/** Sends the upstream's answer in small pieces with a pause between them (a slow link). */
function slowPipe(from: Socket, to: Socket, delayMs: number, piece: number): void {
  const queue: Buffer[] = [];
  let ended = false;
  let busy = false;
  const pump = (): void => {
    if (to.destroyed) {
      // The client gave up (idle timeout): stop the drip, or its timers keep the process alive.
      queue.length = 0;
      return void from.destroy();
    }
    if (busy) return;
    const b = queue.shift();
    if (!b) {
      if (ended) to.end();
      return;
    }
    busy = true;
    setTimeout(() => {
      busy = false;
      if (!to.destroyed) to.write(b);
      pump();
    }, delayMs);
  };
  from.on('data', (d: Buffer) => {
    for (let i = 0; i < d.length; i += piece) queue.push(d.subarray(i, i + piece));
    pump();
  });
  from.on('end', () => {
    ended = true;
    pump();
  });
}

/** Reads the whole upstream answer and returns one page of its tags, with a Link to the next. */
function paginate(from: Socket, to: Socket, page: { n: number; last?: string; url: URL }): void {
  const parts: Buffer[] = [];
  from.on('data', (d: Buffer) => parts.push(d));
  from.on('end', () => {
    const raw = Buffer.concat(parts);
    const end = raw.indexOf(HEAD_END);
    const [status, ...headers] = raw.subarray(0, end).toString('latin1').split('\r\n');
    if (!/ 200 /.test(status)) return void to.end(raw);
    const json = JSON.parse(raw.subarray(end + 4).toString('utf8')) as { name: string; tags: string[] };
    const rest = [...json.tags].sort().filter((t) => page.last === undefined || t > page.last);
    const body = JSON.stringify({ name: json.name, tags: rest.slice(0, page.n) });
    const kept = headers.filter((h) => !/^(content-length|link|connection):/i.test(h));
    if (rest.length > page.n) kept.push(`link: <${page.url.pathname}?n=${page.n}&last=${encodeURIComponent(rest[page.n - 1])}>; rel="next"`);
    to.end(`${status}\r\n${kept.join('\r\n')}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
}

/** Passes the first bytes of the answer (head included), then resets: a connection lost mid-download. */
function cutPipe(from: Socket, to: Socket, afterBytes: number): void {
  let left = afterBytes;
  from.on('data', (d: Buffer) => {
    if (left <= 0) return;
    const part = d.subarray(0, left);
    left -= part.length;
    to.write(part);
    if (left <= 0) {
      from.destroy();
      setTimeout(() => to.resetAndDestroy(), 20);
    }
  });
  from.on('end', () => {
    if (left > 0) to.end();
  });
}
