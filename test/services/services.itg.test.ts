// The harness itself: each registry answers as configured, the token flow grants exactly what it
// should, access logs record requests, and the host-made base images run in the real engine.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { needs, services } from '../lib/services.js';
import { accessLog } from '../lib/access-log.js';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { access: { type: string; name: string; actions: string[] }[]; exp: number; iat: number };

// Bearer realm="…",service="…",scope="…" → its parameters.
function challenge(header: string | null): Record<string, string> {
  assert.ok(header?.startsWith('Bearer '), `expected a Bearer challenge, got ${header}`);
  return Object.fromEntries([...header!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

async function token(scope: string, auth?: string): Promise<Response> {
  const { realm, service } = services().registries.token;
  const url = `${realm}?service=${encodeURIComponent(service)}&scope=${encodeURIComponent(scope)}`;
  return fetch(url, { headers: auth ? { authorization: auth } : {} });
}

if (needs(test, 'docker', 'registry', 'images')) {
  const r = services().registries;

  test('anonymous registry answers /v2/ with 200', async () => {
    assert.is((await fetch(`http://${r.anon.host}/v2/`)).status, 200);
  });

  test('htpasswd registry: 401 Basic challenge, 401 for a wrong password, 200 for the right one', async () => {
    const none = await fetch(`http://${r.basic.host}/v2/`);
    assert.is(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Basic realm="pipeline-basic"/);
    assert.is((await fetch(`http://${r.basic.host}/v2/`, { headers: { authorization: basic(r.basic.username, 'wrong') } })).status, 401);
    assert.is((await fetch(`http://${r.basic.host}/v2/`, { headers: { authorization: basic(r.basic.username, r.basic.password) } })).status, 200);
  });

  test('token registry: 401 challenge → token (right password only) → 200', async () => {
    const repo = `itg/t${randomBytes(4).toString('hex')}`;
    const first = await fetch(`http://${r.token.host}/v2/${repo}/tags/list`);
    assert.is(first.status, 401);
    const c = challenge(first.headers.get('www-authenticate'));
    assert.is(c.realm, r.token.realm);
    assert.is(c.service, r.token.service);
    assert.is(c.scope, `repository:${repo}:pull`);

    const wrong = await token(c.scope!, basic(r.token.username, 'wrong'));
    assert.is(wrong.status, 401);

    const ok = await token(`repository:${repo}:pull,push`, basic(r.token.username, r.token.password));
    assert.is(ok.status, 200);
    const body = (await ok.json()) as { token: string; access_token: string; expires_in: number; issued_at: string };
    assert.is(body.access_token, body.token);
    assert.equal(claims(body.token).access, [{ type: 'repository', name: repo, actions: ['pull', 'push'] }]);
    assert.is(claims(body.token).exp - claims(body.token).iat, body.expires_in);

    const v2 = await fetch(`http://${r.token.host}/v2/`, { headers: { authorization: `Bearer ${body.token}` } });
    assert.is(v2.status, 200);
    // push was granted: the registry opens an upload session (202).
    const upload = await fetch(`http://${r.token.host}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { authorization: `Bearer ${body.token}` } });
    assert.is(upload.status, 202);
  });

  test('token registry: a pull-only token cannot push; anonymous gets nothing outside public/', async () => {
    const repo = `itg/t${randomBytes(4).toString('hex')}`;
    const pull = (await (await token(`repository:${repo}:pull`, basic(r.token.username, r.token.password))).json()) as { token: string };
    assert.equal(claims(pull.token).access[0]!.actions, ['pull']);
    const upload = await fetch(`http://${r.token.host}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { authorization: `Bearer ${pull.token}` } });
    assert.is(upload.status, 401);
    const anon = (await (await token(`repository:${repo}:pull,push`)).json()) as { token: string };
    assert.equal(claims(anon.token).access[0]!.actions, []);
  });

  test('access log records each request with method, path and status', async () => {
    const log = accessLog('anon');
    const path = `/v2/itg/t${randomBytes(4).toString('hex')}/manifests/none`;
    assert.is((await fetch(`http://${r.anon.host}${path}`, { method: 'HEAD' })).status, 404);
    const hit = (await log.since()).filter((e) => e.path === path);
    assert.equal(hit.map((e) => [e.method, e.status]), [['HEAD', 404]]);
  });

  test('base images run in the engine and are in the anonymous registry', () => {
    const img = services().images;
    const run = (image: string, ...cmd: string[]) => execFileSync('docker', ['run', '--rm', '--network', 'host', image, ...cmd], { encoding: 'utf8' }).trim();
    assert.is(run(img.localBusybox, 'busybox', 'echo', 'hi'), 'hi');
    assert.is(run(img.localBusybox, 'id', '-un'), 'root');
    assert.is(run(img.localNode, 'node', '-e', 'console.log(1+1)'), '2');
    for (const ref of [img.busybox, img.node]) {
      const out = execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`], { encoding: 'utf8' });
      assert.match((JSON.parse(out) as { Digest: string }).Digest, /^sha256:[0-9a-f]{64}$/);
    }
    for (const layout of [img.ociBusybox, img.ociNode]) {
      const [dir, tag] = [layout.slice(0, layout.lastIndexOf(':')), layout.slice(layout.lastIndexOf(':') + 1)];
      const index = JSON.parse(readFileSync(`${dir}/index.json`, 'utf8')) as { manifests: { annotations?: Record<string, string> }[] };
      assert.ok(index.manifests.some((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag), `${layout} has no tag ${tag}`);
    }
  });
}

if (needs(test, 'swarm')) {
  test('the engine is a Swarm manager', () => {
    assert.is(execFileSync('docker', ['info', '--format', '{{.Swarm.ControlAvailable}}'], { encoding: 'utf8' }).trim(), 'true');
  });
}

test.run();
