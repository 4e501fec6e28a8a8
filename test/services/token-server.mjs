// A small token server for the registry's Bearer flow: checks Basic credentials and issues RS256
// JWTs (x5c header, so the registry verifies them against its rootcertbundle).
// Policy: the test user gets the actions it asks for, except repositories under `readonly/`
// (pull only); anonymous callers get pull on `public/` only; a wrong password gets 401.
// `registry:catalog:*` is granted to the test user. TOKEN_TTL (s, default 300) sets the expiry.
// Logs one line per request (never the credentials) so tests can count token fetches.
import { createServer } from 'node:http';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

const key = readFileSync(process.env.TOKEN_KEY, 'utf8');
const certPem = readFileSync(process.env.TOKEN_CERT, 'utf8');
const der = new X509Certificate(certPem).raw.toString('base64');
const ttl = Number(process.env.TOKEN_TTL || 300);
const b64u = (b) => Buffer.from(b).toString('base64url');

function sign(claims) {
  const header = b64u(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der] }));
  const body = b64u(JSON.stringify(claims));
  const s = createSign('RSA-SHA256').update(`${header}.${body}`).sign(key);
  return `${header}.${body}.${b64u(s)}`;
}

function grant(user, scope) {
  if (scope === 'registry:catalog:*') return user ? { type: 'registry', name: 'catalog', actions: ['*'] } : undefined;
  const m = /^repository:([^:]+):(.+)$/.exec(scope);
  if (!m) return undefined;
  const [, name, actionsText] = m;
  let actions = actionsText.split(',');
  if (!user) actions = name.startsWith('public/') ? actions.filter((a) => a === 'pull') : [];
  else if (name.startsWith('readonly/')) actions = actions.filter((a) => a === 'pull');
  return { type: 'repository', name, actions };
}

createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  let user;
  res.on('finish', () => console.log(`${new Date().toISOString()} ${req.method} ${url.pathname} ${res.statusCode} user=${user ?? '-'} scope=${url.searchParams.getAll('scope').join(' ') || '-'}`));
  if (url.pathname === '/healthz') return res.end('ok');
  if (url.pathname !== '/token') return (res.statusCode = 404), res.end();
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const [u, p] = Buffer.from(auth.slice(6), 'base64').toString().split(/:(.*)/s);
    if (u !== process.env.TOKEN_USER || p !== process.env.TOKEN_PASSWORD) {
      res.statusCode = 401;
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
    }
    user = u;
  }
  const now = Math.floor(Date.now() / 1000);
  const access = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).map((s) => grant(user, s)).filter(Boolean);
  const token = sign({ iss: process.env.TOKEN_ISSUER || 'pipeline-token-server', sub: user ?? '', aud: url.searchParams.get('service') ?? '', exp: now + ttl, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access });
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ token, access_token: token, expires_in: ttl, issued_at: new Date(now * 1000).toISOString() }));
}).listen(Number(process.env.TOKEN_PORT || 5003), '127.0.0.1');
