import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Docker from 'dockerode';
import type { HostConfig } from '../../config/types.js';

// dockerode (with ssh2 and grpc) is loaded on first use, not at start-up: importing it cost
// ~140 ms of every command, builds included. It is CommonJS, so a synchronous require works.
const load = createRequire(import.meta.url);
let DockerClass: typeof Docker | undefined;
const dockerode = (): typeof Docker => (DockerClass ??= load('dockerode') as typeof Docker);

/** A dockerode client for one host URL: unix socket, tcp (TLS when certs are given) or ssh (docker system dial-stdio). */
export function connect(h: HostConfig): Docker {
  const Docker = dockerode();
  const u = new URL(h.url);
  if (u.protocol === 'unix:') return new Docker({ socketPath: u.pathname });
  if (u.protocol === 'tcp:') {
    const tls = h.tls;
    if (!tls) return new Docker({ host: u.hostname, port: Number(u.port), protocol: 'http' });
    const read = (p?: string) => (p ? readFileSync(p) : undefined);
    return new Docker({ host: u.hostname, port: Number(u.port), protocol: 'https', ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key) });
  }
  const sshOptions: Record<string, unknown> = { readyTimeout: 10_000 };
  if (h.identity) sshOptions.privateKey = readFileSync(h.identity);
  else if (process.env.SSH_AUTH_SOCK) sshOptions.agent = process.env.SSH_AUTH_SOCK;
  return new Docker({
    protocol: 'ssh',
    host: u.hostname,
    port: u.port ? Number(u.port) : 22,
    username: decodeURIComponent(u.username),
    sshOptions,
  } as Docker.DockerOptions);
}

/** The host's short name in messages and labels: the URL without credentials. */
export function hostName(h: HostConfig): string {
  return h.url;
}
