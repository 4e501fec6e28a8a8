import { existsSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Client, ConnectConfig } from 'ssh2';
import { fingerprint, knownKeys } from './known-hosts.js';

/** OpenSSH's default MaxSessions is 10 channels per connection; stay below it. */
const MAX_CHANNELS = 8;

export interface SshOptions {
  host: string;
  port: number;
  username: string;
  privateKey?: Buffer;
  agent?: string;
  /** A known_hosts file the host's key must be listed in (strict); without it ~/.ssh/known_hosts, where a listed key must match. */
  knownHosts?: string;
  /** Close the connection after this long without an open channel (it never keeps the process alive meanwhile). */
  idleMs?: number;
}

/**
 * One ssh connection per host for every Engine API call: each HTTP request gets its own
 * `docker system dial-stdio` channel on the shared connection (the docker CLI's own ssh transport,
 * which honours the remote user's DOCKER_HOST), instead of docker-modem's new connection per call.
 */
export class SshAgent extends Agent {
  private client?: Promise<Client>;
  private conn?: Client;
  private open = 0;
  private idle?: NodeJS.Timeout;
  private hostKeyProblem?: string;

  constructor(private readonly o: SshOptions) {
    super({ keepAlive: false, maxSockets: MAX_CHANNELS });
  }

  override createConnection(_opts: unknown, cb: (err: Error | null, socket?: Duplex) => void): undefined {
    this.connect().then((c) => {
      c.exec('docker system dial-stdio', (err, stream) => {
        if (err) return cb(err);
        this.opened();
        stream.once('close', () => this.closed());
        // http.ClientRequest treats the channel as its socket; give it the socket methods it may call.
        const s = stream as unknown as Record<string, unknown>;
        for (const m of ['setKeepAlive', 'setNoDelay', 'setTimeout', 'ref', 'unref']) s[m] ??= () => stream;
        cb(null, stream);
      });
    }, (e: Error) => cb(e));
    return undefined;
  }

  private connect(): Promise<Client> {
    if (this.client) return this.client;
    this.hostKeyProblem = undefined;
    // ssh2 is loaded on first use: the CLI's start-up never pays for it.
    this.client = import('ssh2').then((m) => new Promise<Client>((resolve, reject) => {
      const c = new m.default.Client();
      c.once('ready', () => {
        this.conn = c;
        resolve(c);
      });
      c.once('error', (e: Error) => {
        this.client = undefined;
        reject(this.hostKeyProblem ? new Error(this.hostKeyProblem) : e);
      });
      c.once('close', () => {
        if (this.conn === c) this.conn = undefined;
        this.client = undefined;
      });
      const cfg: ConnectConfig = {
        host: this.o.host, port: this.o.port, username: this.o.username, readyTimeout: 10_000, keepaliveInterval: 15_000,
        hostVerifier: (key: Buffer) => this.verify(key),
      };
      if (this.o.privateKey) cfg.privateKey = this.o.privateKey;
      else if (this.o.agent) cfg.agent = this.o.agent;
      c.connect(cfg);
    }));
    return this.client;
  }

  private verify(key: Buffer): boolean {
    const strict = this.o.knownHosts;
    const file = strict ?? join(homedir(), '.ssh', 'known_hosts');
    if (!strict && !existsSync(file)) return true;
    const { keys, revoked } = knownKeys(readFileSync(file, 'utf8'), this.o.host, this.o.port);
    const k = key.toString('base64');
    const where = `${this.o.host}${this.o.port === 22 ? '' : `:${this.o.port}`}`;
    if (revoked.includes(k)) this.hostKeyProblem = `host key verification failed: the key of ${where} (${fingerprint(key)}) is marked @revoked in ${file}`;
    else if (keys.includes(k)) return true;
    else if (keys.length) this.hostKeyProblem = `host key verification failed: the key of ${where} (${fingerprint(key)}) differs from the one in ${file} (a changed host, or someone in between)`;
    else if (strict) this.hostKeyProblem = `host key verification failed: ${where} is not in ${file} (its key is ${fingerprint(key)}; add it with ssh-keyscan)`;
    else return true; // neither listed nor a known_hosts given: accepted, as docker-modem always did
    return false;
  }

  private opened(): void {
    this.open++;
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    this.sock()?.ref();
  }

  private closed(): void {
    this.open--;
    if (this.open > 0) return;
    // Idle: the connection must not keep the process alive, and goes away after a while.
    this.sock()?.unref();
    this.idle = setTimeout(() => this.end(), this.o.idleMs ?? 10_000);
    this.idle.unref();
  }

  private sock(): { ref(): void; unref(): void } | undefined {
    return (this.conn as unknown as { _sock?: { ref(): void; unref(): void } } | undefined)?._sock;
  }

  /** Ends the shared connection (open channels are cut). */
  end(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    this.conn?.end();
    this.conn = undefined;
    this.client = undefined;
    this.destroy();
  }
}
