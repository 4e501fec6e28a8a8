// tcp:// with TLS for real: a dockerd started with --tlsverify in its own network namespace, certificates made by
// openssl here. Deploys v1 → v2 over mutual TLS; a wrong CA, a missing client certificate and plain http fail clearly.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { isDeployError, type PipelineError } from '@pipeline/core';
import { deploy, openTarget, parseDeployConfig, type DeployEnvironment } from '../src/index.js';
import { needs } from '../../../test/lib/services.js';
import { tempDir } from '../../../test/lib/tmp.js';
import { cleanEngine, makeApp, type AppImage } from './helpers/images.js';
import { testLogger } from './helpers/log.js';
import { startTlsEngine, type TlsEngine } from './helpers/tls-engine.js';

const APP = `itg-tls-${process.pid}`;
const REPO = `127.0.0.1:5000/deploy-itg/${APP}`;
let engine: TlsEngine, v1: AppImage, v2: AppImage;

function envWith(tls: unknown, url = engine.url): DeployEnvironment {
  return parseDeployConfig({
    tls: {
      app: APP, image: REPO, replicas: 2, network: 'host', hostPorts: '23400-23409',
      hosts: [{ url, tls }],
      probe: { http: { path: '/health' }, interval: '1s', timeout: '1s', retries: 2 },
      rollout: { batch: 1, drain: '100ms' }, prune: { auto: false },
    },
  }, () => ({ file: 'pipeline.yml' })).tls;
}

async function failure(env: DeployEnvironment): Promise<PipelineError> {
  const err = (await deploy({ env, image: v2.ref, sha: v2.sha, actor: 'itg' }).then(() => undefined, (e: unknown) => e)) as PipelineError | undefined;
  assert.ok(isDeployError(err), String(err));
  return err!;
}

if (needs(test, 'docker', 'registry')) {
  test.before(async () => {
    [v1, v2] = [await makeApp(REPO, 'v1'), await makeApp(REPO, 'v2')];
    engine = await startTlsEngine('pltls1', join(tempDir('deploy-tls-'), 'certs'));
  });
  test.after(async () => {
    await engine?.stop();
    await cleanEngine(APP, REPO);
  });

  test('v1 → v2 over mutual TLS (ca, cert, key): pulled by digest on the TLS engine, both replicas on v2', async () => {
    const { ca, cert, key } = engine.certs;
    const env = envWith({ ca, cert, key });
    await deploy({ env, image: v1.ref, sha: v1.sha, actor: 'itg', logger: testLogger() });
    const r = await deploy({ env, image: v2.ref, sha: v2.sha, actor: 'itg', logger: testLogger() });
    assert.is(r.previous, v1.digest);
    const t = openTarget(env);
    assert.equal((await t.list()).filter((i) => i.running).map((i) => i.digest), [v2.digest, v2.digest]);
    for (const i of r.instances) assert.is(await (await fetch(`http://${engine.address}:${i.port}/version`)).text(), 'v2\n');
    const { stdout } = await execa('docker', ['-H', `unix://${engine.socket}`, 'images', '--digests', '--format', '{{.Repository}}@{{.Digest}}']);
    assert.ok(stdout.split('\n').includes(v2.ref), stdout);
    await t.close();
  });

  test('the DOCKER_CERT_PATH layout (certPath with ca.pem, cert.pem, key.pem) reaches the same engine', async () => {
    const dir = tempDir('deploy-tls-certpath-');
    const { ca, cert, key } = engine.certs;
    await execa('cp', [ca, join(dir, 'ca.pem')]);
    await execa('cp', [cert, join(dir, 'cert.pem')]);
    await execa('cp', [key, join(dir, 'key.pem')]);
    const r = await deploy({ env: envWith({ certPath: dir }), image: v2.ref, sha: v2.sha, actor: 'itg' });
    assert.equal(r.plan.batches, []);
    assert.is(r.instances.length, 2);
  });

  test('a wrong CA fails before anything is touched: DeployError exit 2 naming the host and the certificate problem', async () => {
    const { otherCa, cert, key } = engine.certs;
    const err = await failure(envWith({ ca: otherCa, cert, key }));
    assert.is(err.exitCode, 2);
    assert.match(err.message, new RegExp(`host ${engine.url.replace(/\./g, '\\.')}: cannot reach the Docker engine: the engine's certificate is not trusted: .*UNABLE_TO_VERIFY_LEAF_SIGNATURE`));
    console.log(`  wrong CA: ${err.message}`);
  });

  test('no client certificate: the engine refuses the handshake; plain http to the TLS port fails too', async () => {
    const noClient = await failure(envWith({ ca: engine.certs.ca }));
    assert.is(noClient.exitCode, 2);
    assert.match(noClient.message, /cannot reach the Docker engine: the engine refused our client certificate/);
    console.log(`  no client certificate: ${noClient.message}`);
    const plain = await failure(envWith(undefined));
    assert.is(plain.exitCode, 2);
    assert.match(plain.message, /cannot reach the Docker engine: the engine speaks TLS on this port/);
    console.log(`  plain http: ${plain.message}`);
  });

  test('verify: false (the CLI\'s --tls without --tlsverify) still sends the client certificate and works', async () => {
    const { cert, key } = engine.certs;
    const r = await deploy({ env: envWith({ cert, key, verify: false }), image: v2.ref, sha: v2.sha, actor: 'itg' });
    assert.is(r.instances.length, 2);
  });
}

test.run();
