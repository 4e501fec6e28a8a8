// A real registry (Debian's docker-registry, as in test/services) that a test owns: its own data
// directory and a free loopback port, optionally TLS, and it can be killed and restarted on the
// same port mid-run. The shared registries on 5000-5003 are never touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';

export interface OwnRegistryOptions {
  /** Serve HTTPS only, with this certificate and key (PEM files). */
  tls?: { cert: string; key: string };
  /** Prefix of the temp dir, to say whose it is. */
  name?: string;
}

export interface OwnRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  dir: string;
  /** Requests the registry finished since it first started (its access log, all runs). */
  readonly requests: number;
  /** Resolves once `n` requests in total have finished. */
  afterRequests(n: number, deadlineMs?: number): Promise<void>;
  /** SIGKILL, as a crash or `docker restart` of a registry container looks to a client. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data (waits until it answers). */
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** True once something accepts on the port and (for TLS) completes a handshake. */
function answers(port: number, tls: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const url = `http://127.0.0.1:${port}/v2/`;
    if (!tls) {
      fetch(url, { signal: AbortSignal.timeout(1000) }).then(() => resolve(true), () => resolve(false));
      return;
    }
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, timeout: 1000 });
    s.once('secureConnect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

export async function startOwnRegistry(o: OwnRegistryOptions = {}): Promise<OwnRegistry> {
  const dir = mkdtempSync(join(tmpdir(), `${o.name ?? 'hostile-input'}-registry-`));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(config, [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    // Fixed, so upload sessions survive a restart as they would with a configured registry.
    '  secret: hostile-input-own-registry',
    ...(o.tls ? ['  tls:', `    certificate: ${o.tls.cert}`, `    key: ${o.tls.key}`] : []),
  ].join('\n') + '\n');

  let child: ChildProcess | undefined;
  let requests = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const onExit = (): void => void child?.kill('SIGKILL');
  process.once('exit', onExit);

  const reg: OwnRegistry = {
    host: `127.0.0.1:${port}`,
    dir,
    get requests() {
      return requests;
    },
    afterRequests(n, deadlineMs = 60_000) {
      if (requests >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`registry saw ${requests} requests, not ${n}, in ${deadlineMs} ms`)), deadlineMs);
        waiters.push({ n, resolve: () => (clearTimeout(t), resolve()) });
      });
    },
    async start() {
      const c = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      let spawnError: Error | undefined;
      c.once('error', (e) => (spawnError = e));
      c.stdout!.setEncoding('utf8');
      let rest = '';
      c.stdout!.on('data', (d: string) => {
        const lines = (rest + d).split('\n');
        rest = lines.pop()!;
        requests += lines.filter((l) => / HTTP\/[\d.]+" \d{3} /.test(l)).length;
        for (const w of waiters.filter((x) => requests >= x.n)) waiters.splice(waiters.indexOf(w), 1), w.resolve();
      });
      c.stderr!.resume();
      const deadline = Date.now() + 20_000;
      while (!(await answers(port, !!o.tls))) {
        if (spawnError) throw new Error(`docker-registry did not start: ${spawnError.message} (test/services/packages installs it)`);
        if (c.exitCode !== null) throw new Error(`docker-registry exited with ${c.exitCode} before answering on ${port}`);
        if (Date.now() > deadline) throw new Error(`docker-registry did not answer on 127.0.0.1:${port} in 20 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    },
    async close() {
      await reg.kill();
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await reg.start();
  return reg;
}
