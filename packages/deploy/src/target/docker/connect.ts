import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import type Docker from 'dockerode';
import type { HostConfig } from '../../config/types.js';
import { SshAgent } from './ssh.js';

// dockerode (with ssh2 and grpc) is loaded on first use, not at start-up: importing it cost
// ~140 ms of every command, builds included. It is CommonJS, so a synchronous require works. The
// literal require('dockerode') is what esbuild sees: the plugin image's standalone bundle must hold it
// (the CLI's bundle keeps it external, its banner defines require); unbundled ESM has no require.
let DockerClass: typeof Docker | undefined;
const dockerode = (): typeof Docker => (DockerClass ??= (typeof require === 'function' ? require('dockerode') : createRequire(import.meta.url)('dockerode')) as typeof Docker);

/** A dockerode client for one host URL: unix socket, tcp (TLS when certs are given) or ssh (docker system dial-stdio on one shared connection). */
export function connect(h: HostConfig): Docker {
  const Docker = dockerode();
  const u = new URL(h.url);
  if (u.protocol === 'unix:') return new Docker({ socketPath: u.pathname });
  if (u.protocol === 'tcp:') {
    const tls = h.tls;
    if (!tls) return new Docker({ host: u.hostname, port: Number(u.port), protocol: 'http' });
    const read = (p?: string) => (p ? readFileSync(p) : undefined);
    const opts = { ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key) };
    // One agent per host: TLS sessions are kept alive between API calls; verify is the CLI's --tlsverify.
    const agent = new HttpsAgent({ ...opts, rejectUnauthorized: tls.verify, keepAlive: true, maxSockets: 16 });
    return new Docker({ host: u.hostname, port: Number(u.port), protocol: 'https', ...opts, agent } as Docker.DockerOptions);
  }
  // One ssh connection per host, one dial-stdio channel per API call (see ssh.ts); DockerTarget.close() ends it.
  const agent = new SshAgent({
    host: u.hostname,
    port: u.port ? Number(u.port) : 22,
    username: decodeURIComponent(u.username),
    privateKey: h.identity ? readFileSync(h.identity) : undefined,
    agent: h.identity ? undefined : process.env.SSH_AUTH_SOCK,
    knownHosts: h.knownHosts,
  });
  return new Docker({ protocol: 'http', host: u.hostname, port: u.port ? Number(u.port) : 22, agent } as Docker.DockerOptions);
}

/** A TLS handshake failure in words a user can act on (Node/OpenSSL report them as codes and alert numbers). */
export function explainTls(e: Error & { code?: string }): string | undefined {
  const code = e.code ?? '';
  const m = e.message;
  if (/alert bad certificate|alert certificate required|alert unknown ca|SSL alert number (42|116|48)/i.test(m)) {
    return 'the engine refused our client certificate (tls.cert/tls.key missing, or not signed by the CA the engine trusts with --tlscacert)';
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/.test(code)) {
    return `the engine's certificate is not trusted: ${m} (${code}); tls.ca must be the CA that signed the engine's --tlscert, for the address in the URL`;
  }
  if (/Client sent an HTTP request to an HTTPS server/.test(m)) return 'the engine speaks TLS on this port: add tls (ca, cert, key) to the host';
  return undefined;
}
