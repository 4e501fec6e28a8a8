// The Swarm service spec pipeline sends: a pure function, checked for exact equality (its behaviour on the
// real Swarm is in swarm-deploy.itg.test.ts). And the names it gives Swarm objects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Digest } from '@pipeline/core';
import { parseDeployConfig, secretName, serviceSpec, specHash, stateConfigName, type SwarmEnvironment } from '../src/index.js';

const D = `sha256:${'d'.repeat(64)}` as Digest;
const P = `sha256:${'p'.replace('p', 'e').repeat(64)}` as Digest;
const env = (parseDeployConfig({ prod: {
  target: 'swarm', manager: 'unix:///var/run/docker.sock', app: 'web', stack: 'shop', image: '127.0.0.1:5000/team/web', env: { MODE: 'prod' }, secrets: { DB: { env: 'DB_PASS' } },
  probe: { http: { path: '/health' }, stability: '2s' }, rollout: { batch: '50%', order: 'stop-first', drain: '3s' },
  services: { api: { replicas: 4, ports: [8080, '9000:90'], command: ['serve'], placement: { constraints: ['node.role==worker'], preferences: ['spread=node.labels.zone'], maxReplicas: 1 }, resources: { memory: '64m', cpus: 0.5, pids: 100 }, labels: { team: 'a' } } },
} }, () => ({ file: 'p.yml' })) as Record<string, SwarmEnvironment>).prod;
const input = { stack: 'shop', app: 'web', envName: 'prod', svc: env.services[0], image: '127.0.0.1:5000/team/web', digest: D, sha: 'abc1234', deployId: 'dep-1', previous: P, secrets: { DB: { id: 'sec1', name: 'shop_DB_0123' } }, networks: { shop_default: 'net1' }, probe: env.probe, rollout: env.rollout };

test('service spec: image by digest, env + KEY_FILE per secret, secrets mounted, host-mode ports, update and rollback policies', () => {
  const spec = serviceSpec(input);
  const own = {
    'com.docker.stack.namespace': 'shop', 'dev.pipeline.app': 'web', 'dev.pipeline.env': 'prod', 'dev.pipeline.role': 'app', 'dev.pipeline.service': 'api',
    'dev.pipeline.digest': D, 'dev.pipeline.image': '127.0.0.1:5000/team/web', 'dev.pipeline.deploy-id': 'dep-1',
    'dev.pipeline.env-hash': spec.Labels['dev.pipeline.env-hash'], 'dev.pipeline.ports': ':8080/tcp,9000:90/tcp', 'dev.pipeline.sha': 'abc1234', 'dev.pipeline.previous-digest': P,
  };
  const hash = spec.Labels['dev.pipeline.spec-hash'];
  assert.equal(spec, {
    Name: 'shop_api',
    Labels: { team: 'a', ...own, 'com.docker.stack.image': `127.0.0.1:5000/team/web@${D}`, 'dev.pipeline.spec-hash': hash },
    TaskTemplate: {
      ContainerSpec: {
        Image: `127.0.0.1:5000/team/web@${D}`, Labels: { ...own, 'dev.pipeline.spec-hash': hash },
        Env: ['DB_FILE=/run/secrets/DB', 'MODE=prod'], StopGracePeriod: 3e9, Args: ['serve'],
        Secrets: [{ SecretID: 'sec1', SecretName: 'shop_DB_0123', File: { Name: 'DB', UID: '0', GID: '0', Mode: 0o444 } }],
      },
      Networks: [{ Target: 'net1', Aliases: ['api'] }],
      ForceUpdate: 0,
      Resources: { Limits: { MemoryBytes: 64 * 1024 * 1024, NanoCPUs: 5e8, Pids: 100 } },
      Placement: { Constraints: ['node.role==worker'], Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }], MaxReplicas: 1 },
    },
    Mode: { Replicated: { Replicas: 4 } },
    UpdateConfig: { Delay: 0, Monitor: 2e9, MaxFailureRatio: 0, Order: 'stop-first', Parallelism: 2, FailureAction: 'rollback' },
    RollbackConfig: { Delay: 0, Monitor: 2e9, MaxFailureRatio: 0, Order: 'stop-first', Parallelism: 2, FailureAction: 'pause' },
    EndpointSpec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 8080, PublishMode: 'host' }, { Protocol: 'tcp', TargetPort: 90, PublishMode: 'host', PublishedPort: 9000 }] },
  });
  assert.not.match(JSON.stringify(spec), /DB_PASS/);
});

test('spec hash: the deploy id and previous digest do not count; the digest, env and replicas do', () => {
  const a = serviceSpec(input);
  assert.is(serviceSpec({ ...input, deployId: 'dep-2', previous: undefined }).Labels['dev.pipeline.spec-hash'], a.Labels['dev.pipeline.spec-hash']);
  assert.is(specHash(a), a.Labels['dev.pipeline.spec-hash']);
  for (const changed of [{ digest: P }, { svc: { ...input.svc, env: { MODE: 'dev' } } }, { svc: { ...input.svc, replicas: 5 } }, { secrets: { DB: { id: 'sec2', name: 'shop_DB_4567' } } }]) {
    assert.is.not(serviceSpec({ ...input, ...changed }).Labels['dev.pipeline.spec-hash'], a.Labels['dev.pipeline.spec-hash'], JSON.stringify(changed));
  }
});

test('names: content-addressed secrets (never the value), state configs within Swarm\'s 64 characters', () => {
  const n = secretName('shop', 'DB', 'hunter2');
  assert.match(n, /^shop_DB_[0-9a-f]{16}$/);
  assert.is(secretName('shop', 'DB', 'hunter2'), n);
  assert.is.not(secretName('shop', 'DB', 'hunter3'), n);
  assert.is.not(secretName('shop', 'API', 'hunter2').slice(-16), n.slice(-16), 'the key is hashed too');
  assert.ok(secretName('s'.repeat(60), 'K'.repeat(30), 'v').length <= 64);
  assert.is(stateConfigName('lock', 'web', 'prod'), 'pipeline-lock.web.prod');
  assert.is(stateConfigName('history', 'web', 'prod', '20260101T000000-abcdef.deploy'), 'pipeline-history.web.prod.20260101T000000-abcdef.deploy');
  assert.ok(stateConfigName('history', 'a'.repeat(40), 'b'.repeat(20), '20260101T000000-abcdef.rollback').length <= 64);
});

test.run();
