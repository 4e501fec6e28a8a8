import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Digest } from '@pipeline/core';
import { containerSpec, parseDeployConfig, type DockerEnvironment } from '../src/index.js';

const D = `sha256:${'a'.repeat(64)}` as Digest;
const P = `sha256:${'b'.repeat(64)}` as Digest;
const at = () => ({ file: 'pipeline.yml' });

test('bridge container: pool port published, labels, init, limits, logging; secrets in Env only', () => {
  const env = parseDeployConfig({ prod: {
    hosts: ['unix:///var/run/docker.sock'], replicas: 2, port: 8080, env: { MODE: 'prod' }, secrets: { TOKEN: { env: 'T' } },
    volumes: ['data:/data'], resources: { memory: '64m', cpus: 0.25, pids: 50 }, logging: { options: { 'max-size': '1m' } },
  } }, at).prod as DockerEnvironment;
  const spec = containerSpec({ app: 'web', env, image: '127.0.0.1:5000/web', digest: D, sha: 'abc1234', deployId: 'd1', previous: P, port: 20001, secrets: { TOKEN: 's3cr3t-value' }, suffix: 'x1' });
  assert.equal(spec, {
    name: 'web-prod-aaaaaaaa-x1',
    Image: `127.0.0.1:5000/web@${D}`,
    Env: ['MODE=prod', 'TOKEN=s3cr3t-value'],
    Labels: {
      'dev.pipeline.app': 'web', 'dev.pipeline.env': 'prod', 'dev.pipeline.role': 'app', 'dev.pipeline.digest': D, 'dev.pipeline.image': '127.0.0.1:5000/web',
      'dev.pipeline.deploy-id': 'd1', 'dev.pipeline.port': '20001', 'dev.pipeline.env-hash': JSON.stringify({ MODE: spec.Labels!['dev.pipeline.env-hash'] ? JSON.parse(spec.Labels!['dev.pipeline.env-hash']).MODE : '', TOKEN: 'secret' }),
      'dev.pipeline.ports': '', 'dev.pipeline.sha': 'abc1234', 'dev.pipeline.previous-digest': P,
    },
    ExposedPorts: { '8080/tcp': {} },
    HostConfig: {
      NetworkMode: 'bridge', RestartPolicy: { Name: 'unless-stopped' }, Init: true, Binds: ['data:/data'],
      PortBindings: { '8080/tcp': [{ HostPort: '20001' }] }, Memory: 64 * 1024 * 1024, NanoCpus: 250_000_000, PidsLimit: 50,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    },
  });
  // The secret's value appears in no label, not even hashed.
  assert.not.ok(JSON.stringify(spec.Labels).includes('s3cr3t'));
  assert.match(JSON.parse(spec.Labels!['dev.pipeline.env-hash']).MODE, /^[0-9a-f]{12}$/);
});

test('host network: the app gets $PORT and nothing is published', () => {
  const env = parseDeployConfig({ t: { hosts: ['unix:///var/run/docker.sock'], network: 'host', init: false } }, at).t as DockerEnvironment;
  const spec = containerSpec({ app: 'a', env, image: 'r/a', digest: D, deployId: 'd', port: 20007, secrets: {}, suffix: 'y' });
  assert.equal([spec.Env, spec.ExposedPorts, spec.HostConfig!.PortBindings, spec.HostConfig!.NetworkMode, spec.HostConfig!.Init], [['PORT=20007'], {}, undefined, 'host', false]);
});

test.run();
