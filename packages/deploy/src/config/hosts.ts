import type { Checker, Path } from './check.js';
import type { HostConfig } from './types.js';

const SSH_USER = /^[a-z_][a-z0-9_.-]*$/i;
const HOSTNAME = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$|^\d{1,3}(?:\.\d{1,3}){3}$/i;
const HOST_KEYS = ['url', 'address', 'tls', 'identity'] as const;

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
  if (o.tls !== undefined) {
    const t = c.object(o.tls, [...path, 'tls'], ['ca', 'cert', 'key']);
    host.tls = {};
    for (const k of ['ca', 'cert', 'key'] as const) if (t[k] !== undefined) host.tls[k] = c.string(t[k], [...path, 'tls', k]);
  }
  return host;
}
