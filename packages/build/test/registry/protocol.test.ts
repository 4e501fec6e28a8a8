import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import { parseChallenge, scopeKey, repoScope, nextLink, parseSpecErrors, httpError, networkError, backoffDelay, parseRetryAfter, retryDelay, withRetry } from '../../src/registry/index.js';
import { baseUrl } from '../../src/registry/http.js';
import { registryScheme } from '../../src/registry/scheme.js';
import { fixedChunks } from '../../src/registry/streams.js';
import { mapBounded } from '../../src/registry/pool.js';
import { RegistryError } from '@pipeline/core';

test('WWW-Authenticate: Bearer with quoted commas and escapes, Basic, error=insufficient_scope', () => {
  const c = parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push",error="insufficient_scope"');
  assert.equal(c, { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push', error: 'insufficient_scope' } });
  assert.equal(parseChallenge('Basic realm="say \\"hi\\""'), { scheme: 'basic', params: { realm: 'say "hi"' } });
  assert.is(parseChallenge(''), undefined);
});

test('scopes: one token request names target push and mount source pull; cache key ignores order', () => {
  assert.is(repoScope('app', ['pull', 'push']), 'repository:app:pull,push');
  assert.is(scopeKey(['repository:b:pull', 'repository:a:pull,push']), scopeKey(['repository:a:pull,push', 'repository:b:pull']));
});

test('Link header: next page, relative or absolute, among other rels', () => {
  assert.is(nextLink('</v2/app/tags/list?n=2&last=b>; rel="next"'), '/v2/app/tags/list?n=2&last=b');
  assert.is(nextLink('<https://r.example/v2/x/tags/list?last=c&n=2>; rel="prev", <https://r.example/v2/x/tags/list?last=d&n=2>; rel="next"'), 'https://r.example/v2/x/tags/list?last=d&n=2');
  assert.is(nextLink(null), undefined);
});

test('spec errors: code, message, hints for 401/403/insufficient scope; temporary for 5xx/429', () => {
  const body = '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied","detail":null}]}';
  assert.equal(parseSpecErrors(body), [{ code: 'DENIED', message: 'requested access to the resource is denied', detail: null }]);
  assert.equal(parseSpecErrors('<html>bad gateway</html>'), []);
  const ctx = { registry: 'r.example', repository: 'team/app', action: 'PUT manifest' };
  const e403 = httpError(403, body, ctx);
  assert.is(e403.code, 'DENIED');
  assert.is(e403.exitCode, 2);
  assert.is(e403.hint, 'the account lacks push access to team/app');
  assert.is(httpError(401, '', ctx).hint, 'check the credentials for r.example (docker login r.example or PIPELINE_REGISTRY_USERNAME/PASSWORD)');
  assert.is(httpError(401, '', ctx, 'INSUFFICIENT_SCOPE').hint, 'the account lacks push access to team/app');
  assert.is(httpError(403, '', { ...ctx, write: false }).hint, 'the account lacks pull access to team/app');
  assert.ok(httpError(503, '', ctx).temporary);
  assert.ok(httpError(429, '', ctx).temporary);
  assert.not.ok(httpError(404, '', ctx).temporary);
  assert.match(httpError(500, body, ctx).message, /^r\.example: PUT manifest failed: HTTP 500 \(DENIED: requested/);
});

test('network errors: refused/DNS → reachability hint; TLS → what it means (untrusted CA, hostname mismatch, plain HTTP) and what to do; reset → temporary', () => {
  const wrap = (code: string): Error => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
  const ctx = { registry: 'r.example:5000', action: 'HEAD blob' };
  const refused = networkError(wrap('ECONNREFUSED'), ctx);
  assert.match(refused.hint ?? '', 'is r.example:5000 reachable?');
  assert.not.ok(refused.temporary);
  assert.match(networkError(wrap('ENOTFOUND'), ctx).hint ?? '', 'reachable');
  const tls = networkError(wrap('DEPTH_ZERO_SELF_SIGNED_CERT'), ctx);
  assert.match(tls.message, /certificate is not trusted/);
  assert.match(tls.hint ?? '', /NODE_EXTRA_CA_CERTS=\/path\/ca\.pem \(or SSL_CERT_FILE/);
  assert.is(tls.exitCode, 2);
  const mismatch = networkError(Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error("Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: 127.0.0.2"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }) }), ctx);
  assert.match(mismatch.message, /hostname mismatch: the certificate does not name r\.example .*is not in the cert's list: 127\.0\.0\.2/);
  assert.match(mismatch.hint ?? '', /subjectAltName/);
  const plain = networkError(wrap('ERR_SSL_WRONG_VERSION_NUMBER'), ctx);
  assert.match(plain.message, /the server speaks plain HTTP, not HTTPS/);
  assert.match(plain.hint ?? '', /--insecure-registry r\.example:5000, PIPELINE_INSECURE=true or registry\.insecure: true/);
  assert.match(httpError(400, 'Client sent an HTTP request to an HTTPS server.\n', ctx).hint ?? '', /speaks HTTPS on this port/);
  assert.ok(networkError(wrap('ECONNRESET'), ctx).temporary);
  assert.ok(networkError(wrap('UND_ERR_SOCKET'), ctx).temporary);
  assert.ok(networkError(Object.assign(new Error('no data'), { name: 'TimeoutError' }), ctx).temporary);
});

test('backoff: equal jitter within [c/2, c], c = min(max, base·2^n); Retry-After seconds and dates', () => {
  assert.is(backoffDelay(0, { baseMs: 100 }, () => 0.999), 99);
  assert.is(backoffDelay(0, { baseMs: 100 }, () => 0), 50);
  assert.is(backoffDelay(3, { baseMs: 100 }, () => 0.5), 600);
  assert.is(backoffDelay(20, { baseMs: 100, maxMs: 1000 }, () => 0.5), 750);
  assert.is(backoffDelay(5, {}, () => 0), 3200);
  // The default policy outlasts a registry restart of a few seconds: the six waits add up to at least 6.3 s.
  const waits = [0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, {}, () => 0));
  assert.is(waits.reduce((a, b) => a + b), 6300);
  assert.is(parseRetryAfter('3'), 3000);
  assert.is(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.is(parseRetryAfter('soon'), undefined);
});

const rejects = async (p: Promise<unknown>): Promise<void> => assert.ok(await p.then(() => false, () => true), 'expected a rejection');

test('withRetry: retries temporary errors up to the bound, honours retryAfterMs, never retries permanent ones', async () => {
  let n = 0;
  const temp = (): RegistryError => new RegistryError('r', 'x', { temporary: true });
  await rejects(withRetry(async () => { n++; throw temp(); }, { attempts: 3, baseMs: 1 }));
  assert.is(n, 3);
  n = 0;
  await rejects(withRetry(async () => { n++; throw new RegistryError('r', 'denied', { status: 403 }); }, { attempts: 5, baseMs: 1 }));
  assert.is(n, 1);
  const t0 = Date.now();
  n = 0;
  const v = await withRetry(async () => { if (n++ === 0) throw Object.assign(temp(), { retryAfterMs: 300 }); return 'ok'; }, { attempts: 2, baseMs: 1 });
  assert.is(v, 'ok');
  assert.ok(Date.now() - t0 >= 290);
});

test('retryDelay is the one decision (withRetry, chunk resume, blob range resume): temporary only, bounded, Retry-After first', () => {
  const temp = (after?: number): RegistryError => Object.assign(new RegistryError('r', 'x', { temporary: true }), after === undefined ? {} : { retryAfterMs: after });
  assert.is(retryDelay(new RegistryError('r', 'denied', { status: 403 }), 0), undefined);
  assert.is(retryDelay(new TypeError('terminated'), 0), undefined, 'only RegistryErrors: callers map network errors first');
  assert.is(retryDelay(temp(2500), 0, { maxMs: 10_000 }), 2500);
  assert.is(retryDelay(temp(60_000), 0, { maxMs: 1000 }), 3000, 'a Retry-After is capped at 3·maxMs');
  assert.is(retryDelay(temp(), 6), undefined, 'seven attempts by default');
  assert.ok((retryDelay(temp(), 5) ?? 0) >= 3200);
});

test('a refused connection is the user\'s address (exit 2) until the registry has answered once; then a restart (temporary, exit 1)', () => {
  const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
  const first = networkError(refused, { registry: 'r', action: 'HEAD blob' });
  assert.equal([first.temporary, first.exitCode], [false, 2]);
  const later = networkError(refused, { registry: 'r', action: 'HEAD blob', reached: true });
  assert.equal([later.temporary, later.exitCode], [true, 1]);
  const cut = networkError(Object.assign(new TypeError('terminated'), { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }), { registry: 'r', action: 'GET manifest' });
  assert.equal([cut.temporary, cut.exitCode], [true, 1], 'a body cut off mid-way (undici: terminated)');
  const short = networkError(Object.assign(new TypeError('terminated'), { cause: Object.assign(new Error('Response body length does not match content-length header'), { code: 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' }) }), { registry: 'r', action: 'GET manifest' });
  assert.ok(short.temporary, 'a body shorter than its content-length');
});

test('HTTPS for every registry; loopback or listed insecure ones are asked over TLS first and get http:// only when they do not speak it', async () => {
  const asked: string[] = [];
  const probe = (answer: 'tls' | 'plain' | 'unknown') => async (host: string) => (asked.push(host), answer);
  assert.is(await registryScheme('registry.example:5000', [], probe('plain')), 'https');
  assert.equal(asked, [], 'a registry that must speak TLS is not probed');
  assert.is(await registryScheme('127.0.0.9:5000', [], probe('plain')), 'http');
  assert.is(await registryScheme('127.0.0.9:5000', [], probe('tls')), 'http', 'probed once per process');
  assert.is(await registryScheme('localhost:5443', [], probe('tls')), 'https');
  assert.is(await registryScheme('insecure.example:5000', ['insecure.example:5000'], probe('plain')), 'http');
  assert.is(await registryScheme('127.0.0.10:5000', [], probe('unknown')), 'http');
  assert.is(await registryScheme('127.0.0.10:5000', [], probe('tls')), 'https', 'nothing listened: asked again');
  assert.equal(asked, ['127.0.0.9:5000', 'localhost:5443', 'insecure.example:5000', '127.0.0.10:5000', '127.0.0.10:5000']);
  assert.is(baseUrl('docker.io'), 'https://registry-1.docker.io');
  assert.is(baseUrl('127.0.0.1:5000', 'http'), 'http://127.0.0.1:5000');
});

test('fixedChunks re-cuts a stream into exact sizes; mapBounded keeps the bound', async () => {
  const src = Readable.from([Buffer.alloc(5, 1), Buffer.alloc(7, 2), Buffer.alloc(1, 3)]);
  const sizes: number[] = [];
  for await (const c of fixedChunks(src, 4)) sizes.push(c.length);
  assert.equal(sizes, [4, 4, 4, 1]);
  let live = 0;
  let peak = 0;
  const out = await mapBounded([1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
    peak = Math.max(peak, ++live);
    await new Promise((r) => setTimeout(r, 5));
    live--;
    return x * 2;
  });
  assert.equal(out, [2, 4, 6, 8, 10, 12, 14]);
  assert.is(peak, 3);
});

test.run();
