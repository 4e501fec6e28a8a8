// HTTPS or plain HTTP. Every registry speaks HTTPS, except that a loopback registry or one the user
// marked insecure MAY speak plain HTTP: those are asked over TLS first and get http:// only when
// they do not speak it (as docker and go-containerregistry do). A TLS-only registry on 127.0.0.1
// used to get plain HTTP and an unexplained `HTTP 400`.
import { connect } from 'node:tls';
import { isIP } from 'node:net';
import { isLoopbackRegistry, registryHost } from '@pipeline/core';

export type Scheme = 'https' | 'http';
export type TlsProbe = (host: string) => Promise<'tls' | 'plain' | 'unknown'>;

/** Plain HTTP is allowed for loopback registries and ones listed as insecure, never otherwise. */
export const plainAllowed = (registry: string, insecure: readonly string[] = []): boolean => isLoopbackRegistry(registry) || insecure.includes(registry);

const known = new Map<string, Promise<Scheme>>();

/** The scheme to speak to `registry`, probed once per process (again after an inconclusive probe). */
export function registryScheme(registry: string, insecure: readonly string[] = [], probe: TlsProbe = speaksTls): Promise<Scheme> {
  if (!plainAllowed(registry, insecure)) return Promise.resolve('https');
  const host = registryHost(registry);
  let p = known.get(host);
  if (!p) {
    p = probe(host).then((r) => {
      if (r === 'unknown') known.delete(host); // nothing listens yet: ask again next time
      return r === 'tls' ? 'https' : 'http';
    });
    known.set(host, p);
  }
  return p;
}

/**
 * Whether host[:port] (443 when none) completes a TLS handshake. Certificates are not checked here:
 * the real request checks them, with the configured CAs, and explains a failure.
 */
export function speaksTls(host: string, timeoutMs = 3000): Promise<'tls' | 'plain' | 'unknown'> {
  const u = new URL(`https://${host}`);
  const hostname = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const s = connect({ host: hostname, port: Number(u.port || 443), rejectUnauthorized: false, ...(isIP(hostname) ? {} : { servername: hostname }) });
    const done = (r: 'tls' | 'plain' | 'unknown'): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('plain'), timeoutMs);
    s.once('secureConnect', () => done('tls'));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'unknown' : 'plain'));
  });
}
