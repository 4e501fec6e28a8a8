// Which CAs registry (and ADD <url>) connections trust. Node's fetch trusts its bundled roots plus
// NODE_EXTRA_CA_CERTS (read once, at start-up). SSL_CERT_FILE, which curl, git and docker honour,
// Node ignores: when it names another file, requests go through undici (Node's own HTTP client,
// loaded only then) with an Agent trusting Node's roots plus that file's certificates. undici is
// pinned to the version Node 20 bundles (6.24.1): 6.29 asserts and kills the process when a server
// closes a `Connection: close` answer while the body is paused (client-h1 finish()), which
// registries behind proxies do.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { UsageError } from '@pipeline/core';

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

const byFile = new Map<string, Promise<FetchFn>>();

/** The certificates (PEM blocks) of a CA bundle file; a file with none is the user's mistake. */
export function readCaBundle(file: string, from = 'SSL_CERT_FILE'): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${from}=${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'point it at a PEM file of CA certificates, or unset it');
  }
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!certs.length) throw new UsageError(`${from}=${file}: the file holds no PEM certificate`, 'Expected -----BEGIN CERTIFICATE----- blocks (openssl x509 -outform PEM)');
  return certs;
}

/** The fetch to use under `env`: Node's own, or one that also trusts SSL_CERT_FILE's CAs. */
export function trustedFetch(env: NodeJS.ProcessEnv = process.env): Promise<FetchFn> {
  const file = env.SSL_CERT_FILE;
  // The same file as NODE_EXTRA_CA_CERTS (CI images often set both) is trusted already.
  if (!file || file === process.env.NODE_EXTRA_CA_CERTS) return Promise.resolve(globalThis.fetch as FetchFn);
  let p = byFile.get(file);
  if (!p) {
    p = (async () => {
      const ca = [...rootCertificates, ...readCaBundle(file)];
      const { Agent, fetch } = await import('undici');
      const dispatcher = new Agent({ connect: { ca } });
      return ((url, init) => fetch(url, { ...(init as object), dispatcher } as Parameters<typeof fetch>[1]) as unknown as Promise<Response>) as FetchFn;
    })();
    p.catch(() => byFile.delete(file));
    byFile.set(file, p);
  }
  return p;
}
