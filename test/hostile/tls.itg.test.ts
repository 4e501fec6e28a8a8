// Registries over TLS, against a real docker-registry we start with certificates made by openssl:
// a TLS-only registry on 127.0.0.1 is spoken to over HTTPS (it got plain HTTP and `HTTP 400`),
// its CA comes from NODE_EXTRA_CA_CERTS or SSL_CERT_FILE, and an untrusted CA, a hostname mismatch
// and a plain-HTTP server reached over HTTPS each say what they are and what to do (exit 2).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { networkError } from '../../packages/build/src/registry/errors.js';
import { runCli, type CliResult } from '../lib/cli.js';
import { startOwnRegistry, type OwnRegistry } from '../lib/own-registry.js';
import { needs } from '../lib/services.js';
import { tempDir } from '../lib/tmp.js';

const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const noStack = (r: CliResult) => assert.not.match(r.stderr, /internal error|\n\s+at .+:\d+:\d+/, 'no stack trace');

/** A CA, and a server certificate it signs for `sans` (e.g. IP:127.0.0.1). */
function makeCerts(dir: string, name: string, sans: string): { ca: string; cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const f = (x: string) => join(dir, `${name}-${x}`);
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', `/CN=hostile-input ${name} CA`);
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('key.pem'), '-out', f('csr.pem'), '-subj', '/CN=registry');
  writeFileSync(f('ext.cnf'), `subjectAltName=${sans}\n`);
  openssl('x509', '-req', '-in', f('csr.pem'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('cert.pem'), '-days', '2', '-extfile', f('ext.cnf'));
  return { ca: f('ca.pem'), cert: f('cert.pem'), key: f('key.pem') };
}

/** A name for this machine that resolves to loopback but is not recognised as loopback by its text. */
async function nonLoopbackName(): Promise<string> {
  const h = hostname();
  const a = await lookup(h).catch(() => undefined);
  return a && /^127\./.test(a.address) ? h : '0.0.0.0';
}

if (needs(test, 'registry')) {
  const work = tempDir('hostile-input-tls-');
  const ctx = join(work, 'ctx');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY Dockerfile /Dockerfile\n');
  const push = (host: string, env: Record<string, string> = {}, extra: string[] = []) =>
    runCli(['build', ctx, '--push', '--image', `${host}/hostile/tls`, '--tag', 'ok', '--cache-dir', join(work, 'cache'), ...extra], { SOURCE_DATE_EPOCH: '0', NODE_EXTRA_CA_CERTS: '', SSL_CERT_FILE: '', ...env });
  const good = makeCerts(join(work, 'good'), 'good', 'IP:127.0.0.1');
  const other = makeCerts(join(work, 'other'), 'other', 'DNS:other.example,IP:127.0.0.2');
  let tlsReg: OwnRegistry;
  let wrongName: OwnRegistry;
  let plain: OwnRegistry;

  test.before(async () => {
    [tlsReg, wrongName, plain] = await Promise.all([startOwnRegistry({ tls: good }), startOwnRegistry({ tls: other }), startOwnRegistry()]);
  });
  test.after(async () => {
    await Promise.all([tlsReg?.close(), wrongName?.close(), plain?.close()]);
  });

  test('a TLS-only registry on 127.0.0.1 is spoken to over HTTPS; NODE_EXTRA_CA_CERTS trusts its CA', async () => {
    const r = await push(tlsReg.host, { NODE_EXTRA_CA_CERTS: good.ca });
    assert.is(r.code, 0, r.stderr);
    const j = execFileSync('skopeo', ['inspect', '--cert-dir', join(work, 'good-skopeo'), '--tls-verify=false', `docker://${tlsReg.host}/hostile/tls:ok`], { encoding: 'utf8' });
    assert.match(j, /"Digest": "sha256:/);
  });

  test('SSL_CERT_FILE is honoured as curl and docker honour it', async () => {
    const r = await push(tlsReg.host, { SSL_CERT_FILE: good.ca });
    assert.is(r.code, 0, r.stderr);
  });

  test('an untrusted CA: exit 2, says the certificate is not trusted and how to trust it', async () => {
    const r = await push(tlsReg.host);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /certificate is not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/);
    assert.match(r.stderr, /hint: trust its CA: NODE_EXTRA_CA_CERTS=\/path\/ca\.pem \(or SSL_CERT_FILE/);
    assert.not.match(r.stderr, /HTTP 400/);
    noStack(r);
  });

  test('a hostname mismatch says so and names what the certificate covers', async () => {
    const r = await push(wrongName.host, { NODE_EXTRA_CA_CERTS: other.ca });
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /hostname mismatch: the certificate does not name 127\.0\.0\.1 .*127\.0\.0\.2/);
    assert.match(r.stderr, /hint: connect with a name the certificate lists/);
    noStack(r);
  });

  test('a plain-HTTP registry reached by a non-loopback name: "speaks plain HTTP" and how to allow it; PIPELINE_INSECURE allows it for a single-Dockerfile build', async () => {
    const host = `${await nonLoopbackName()}:${plain.host.split(':')[1]}`;
    const refused = await push(host);
    assert.is(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /the server speaks plain HTTP, not HTTPS/);
    assert.match(refused.stderr, /hint: .*--insecure-registry .*PIPELINE_INSECURE=true/);
    noStack(refused);
    const allowed = await push(host, { PIPELINE_INSECURE: 'true' });
    assert.is(allowed.code, 0, allowed.stderr);
    const flag = await push(host, {}, ['--insecure']);
    assert.is(flag.code, 0, flag.stderr);
  });

  test('the mapping holds for the errors Node really raises (not hand-made ones)', async () => {
    const real = await fetch(`https://${plain.host}/v2/`).then(() => undefined, (e: unknown) => e);
    assert.match(networkError(real, { registry: plain.host, action: 'GET /v2/' }).message, /speaks plain HTTP/);
    const untrusted = await fetch(`https://${tlsReg.host}/v2/`).then(() => undefined, (e: unknown) => e);
    assert.match(networkError(untrusted, { registry: tlsReg.host, action: 'GET /v2/' }).message, /certificate is not trusted/);
  });
}

test.run();
