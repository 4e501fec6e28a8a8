import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Checker, Path } from './check.js';
import type { HostConfig } from './types.js';

const SSH_USER = /^[a-z_][a-z0-9_.-]*$/i;
const HOSTNAME = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$|^\d{1,3}(?:\.\d{1,3}){3}$/i;
const HOST_KEYS = ['url', 'address', 'tls', 'identity', 'knownHosts'] as const;
const TLS_KEYS = ['ca', 'cert', 'key', 'certPath', 'verify'] as const;

/** One `hosts:` entry: a URL string or `{url, address, tls, identity}`. */
export function parseHost(c: Checker, raw: unknown, path: Path): HostConfig {
  const o = typeof raw === 'string' ? { url: raw } : c.object(raw, path, HOST_KEYS);
  const urlPath = typeof raw === 'string' ? path : [...path, 'url'];
  const url = c.string(o.url, urlPath);
  const expected = 'unix:///path/docker.sock, tcp://HOST:PORT or ssh://USER@HOST[:PORT]';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return c.fail(urlPath, expected, url);
  }
  let address: string;
  if (u.protocol === 'unix:') {
    if (!u.pathname.startsWith('/') || u.host) c.fail(urlPath, 'unix:///absolute/path (three slashes)', url);
    address = '127.0.0.1';
  } else if (u.protocol === 'tcp:') {
    if (!HOSTNAME.test(u.hostname) || !u.port) c.fail(urlPath, 'tcp://HOST:PORT with a port', url);
    address = u.hostname;
  } else if (u.protocol === 'ssh:') {
    const user = decodeURIComponent(u.username);
    if (!user || !SSH_USER.test(user)) c.fail(urlPath, 'ssh://USER@HOST[:PORT] with a user name', url);
    if (!HOSTNAME.test(u.hostname)) c.fail(urlPath, 'ssh://USER@HOST[:PORT] with a valid host', url);
    if (u.password) c.fail(urlPath, 'no password in the ssh URL (use an identity file or ssh-agent)', '<a URL with a password>');
    if (u.pathname && u.pathname !== '/' && u.pathname !== '') c.fail(urlPath, 'ssh://USER@HOST[:PORT] without a path', url);
    address = u.hostname;
  } else {
    return c.fail(urlPath, expected, url);
  }
  const host: HostConfig = { url, address };
  if (o.address !== undefined) host.address = c.string(o.address, [...path, 'address']);
  if (o.identity !== undefined) host.identity = c.string(o.identity, [...path, 'identity']);
  if (o.tls !== undefined && o.tls !== false) {
    if (u.protocol !== 'tcp:') c.fail([...path, 'tls'], 'tls only on a tcp:// host (ssh:// is encrypted by ssh, unix:// is local)', o.tls);
    host.tls = parseTls(c, o.tls, [...path, 'tls']);
  }
  if (o.knownHosts !== undefined) {
    if (u.protocol !== 'ssh:') c.fail([...path, 'knownHosts'], 'knownHosts only on an ssh:// host', o.knownHosts);
    host.knownHosts = readable(c, c.string(o.knownHosts, [...path, 'knownHosts']), [...path, 'knownHosts'], 'a readable known_hosts file');
  }
  return host;
}

/**
 * `tls: true` (the docker CLI's DOCKER_TLS_VERIFY=1: ca.pem, cert.pem, key.pem from $DOCKER_CERT_PATH or ~/.docker)
 * or `{ca, cert, key, certPath, verify}`; every file named is read now, so a missing one is a config error.
 */
function parseTls(c: Checker, raw: unknown, p: Path): NonNullable<HostConfig['tls']> {
  const t = raw === true ? { certPath: process.env.DOCKER_CERT_PATH || join(homedir(), '.docker') } : c.object(raw, p, TLS_KEYS);
  const tls: NonNullable<HostConfig['tls']> = { verify: t.verify === undefined ? true : c.bool(t.verify, [...p, 'verify']) };
  const at = (k: string): Path => (raw === true ? p : [...p, k]);
  let dir: string | undefined;
  if (t.certPath !== undefined) {
    dir = resolve(c.string(t.certPath, at('certPath')));
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch (e) {
      c.fail(at('certPath'), 'a directory holding ca.pem, cert.pem and key.pem (the DOCKER_CERT_PATH layout)', `${dir}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    if (!isDir) c.fail(at('certPath'), 'a directory holding ca.pem, cert.pem and key.pem (the DOCKER_CERT_PATH layout)', `${dir}: not a directory`);
  }
  for (const k of ['ca', 'cert', 'key'] as const) {
    const kind = k === 'key' ? 'PRIVATE KEY' : 'CERTIFICATE';
    if (t[k] !== undefined) tls[k] = pem(c, readable(c, c.string(t[k], at(k)), at(k), `a readable PEM file (${kind})`), at(k), kind);
    else if (dir) {
      const f = join(dir, `${k}.pem`);
      if (exists(f)) tls[k] = pem(c, f, at('certPath'), kind);
    }
  }
  if (tls.verify && dir && !tls.ca) c.fail(at('certPath'), `ca.pem in ${dir} to verify the server (or verify: false, the docker CLI's --tls without --tlsverify)`, `${dir} without ca.pem`);
  if ((tls.cert === undefined) !== (tls.key === undefined)) c.fail(tls.cert ? at('key') : at('cert'), 'cert and key together (the client certificate and its private key)', tls.cert ? 'a cert without a key' : 'a key without a cert');
  return tls;
}

function exists(f: string): boolean {
  try {
    return statSync(f).isFile();
  } catch {
    return false;
  }
}

/** The path resolved against the working directory, after checking it can be read. */
function readable(c: Checker, file: string, p: Path, expected: string): string {
  const abs = resolve(file);
  try {
    readFileSync(abs);
  } catch (e) {
    c.fail(p, expected, `${abs}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  return abs;
}

function pem(c: Checker, file: string, p: Path, kind: 'CERTIFICATE' | 'PRIVATE KEY'): string {
  const text = readFileSync(file, 'latin1');
  if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) c.fail(p, `a PEM file with a ${kind}`, `${file}: no "-----BEGIN …${kind}-----" block`);
  return file;
}
