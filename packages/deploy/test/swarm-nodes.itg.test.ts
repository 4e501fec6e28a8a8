// A Swarm of three nodes in the network-namespace lab (test/lib/netns.ts): three engines, the first `swarm init`
// on its lab address, the others joined to it. pipeline talks to that manager over tcp://, places tasks by node
// labels, and probes each task from outside at its node's address and published port.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { isDeployError, type PipelineError } from '@pipeline/core';
import { deploy, openTarget, parseDeployConfig, status, type SwarmEnvironment } from '../src/index.js';
import { needs } from '../../../test/lib/services.js';
import { startLab, type NetnsLab } from '../../../test/lib/netns.js';
import { cleanEngine, makeApp, type AppImage } from './helpers/images.js';

const STACK = `nsw${process.pid}`;
const REPO = `127.0.0.1:5000/deploy-itg/${STACK}`;
let lab: NetnsLab;
let manager: string;
const nodeIds: string[] = [];
const d = (host: string, ...args: string[]) => execa('docker', ['-H', host, ...args]).then((r) => r.stdout.trim());

/** Which node (lab index) runs each serving task of a service. */
async function placement(service: string): Promise<number[]> {
  const out = await d(manager, 'service', 'ps', service, '--filter', 'desired-state=running', '--format', '{{.ID}}');
  const nodes: number[] = [];
  for (const id of out.split('\n').filter(Boolean)) nodes.push(nodeIds.indexOf(await d(manager, 'inspect', '--format', '{{.NodeID}}', id)));
  return nodes.sort();
}

if (needs(test, 'docker', 'registry')) {
  let v1: AppImage, v2: AppImage, bad: AppImage;
  test.before(async () => {
    [v1, v2, bad] = [await makeApp(REPO, 'v1'), await makeApp(REPO, 'v2'), await makeApp(REPO, 'v3', 'no-health')];
    lab = await startLab('plsw', 3, { first: 41 }); // not the fleet lab's addresses: both may run at once
    manager = lab.hosts[0].tcp;
    await d(manager, 'swarm', 'init', '--advertise-addr', lab.hosts[0].address);
    const token = await d(manager, 'swarm', 'join-token', '-q', 'worker');
    for (const h of lab.hosts.slice(1)) await d(h.tcp, 'swarm', 'join', '--advertise-addr', h.address, '--token', token, `${lab.hosts[0].address}:2377`);
    for (const h of lab.hosts) nodeIds.push(await d(h.tcp, 'info', '--format', '{{.Swarm.NodeID}}'));
    // Zones: node 1 (the manager) in a, nodes 2 and 3 in b.
    for (const [i, id] of nodeIds.entries()) await d(manager, 'node', 'update', '--label-add', `zone=${i === 0 ? 'a' : 'b'}`, id);
  });
  test.after(async () => {
    await lab?.stop();
    await cleanEngine(STACK, REPO);
  });

  const env = (order = 'stop-first') => parseDeployConfig({
    lab: {
      target: 'swarm', manager, stack: STACK, image: REPO,
      services: {
        web: { replicas: 2, ports: [80], placement: { constraints: ['node.labels.zone==b'], maxReplicas: 1 } },
        edge: { replicas: 1, ports: [80], placement: { constraints: ['node.role==manager'] } },
      },
      probe: { http: { path: '/health' }, interval: '500ms', timeout: '1s', retries: 2, stability: '2s' },
      rollout: { batch: 1, order },
    },
  }, () => ({ file: 'pipeline.yml' })).lab as SwarmEnvironment;

  test('three nodes: tasks placed by node labels and role, one per node where asked; probed at their nodes\' addresses', async () => {
    assert.equal((await d(manager, 'node', 'ls', '--format', '{{.Status}}')).split('\n'), ['Ready', 'Ready', 'Ready']);
    const r = await deploy({ env: env(), image: v1.ref, sha: v1.sha, actor: 'lab' });
    assert.is(r.instances.length, 3);
    assert.equal(await placement(`${STACK}_web`), [1, 2]);
    assert.equal(await placement(`${STACK}_edge`), [0]);
    const st = await status(openTarget(env()));
    const web = st.hosts[`${STACK}_web`];
    assert.equal(web.map((x) => x.health), ['healthy', 'healthy']);
    // Each task answers at its own node's lab address.
    const addrs = (await openTarget(env()).list()).filter((i) => i.running && i.host === `${STACK}_web`).map((i) => i.address).sort();
    assert.equal(addrs, [lab.hosts[1].address, lab.hosts[2].address]);
    for (const i of (await openTarget(env()).list()).filter((x) => x.running)) {
      assert.is(await (await fetch(`http://${i.address}:${i.port}/version`)).text(), 'v1\n');
    }
  });

  test('update across nodes to v2, then a failing v3 rolled back on every node (exit 1)', async () => {
    await deploy({ env: env(), image: v2.ref, sha: v2.sha, actor: 'lab' });
    assert.equal(await placement(`${STACK}_web`), [1, 2]);
    const err = await deploy({ env: env(), image: bad.ref, sha: bad.sha, actor: 'lab' }).then(() => undefined, (e: PipelineError) => e);
    assert.ok(isDeployError(err), String(err));
    assert.is(err!.exitCode, 1);
    assert.match(err!.message, /rolled back every service to/);
    const running = (await openTarget(env()).list()).filter((i) => i.running);
    assert.equal(running.map((i) => i.digest), [v2.digest, v2.digest, v2.digest]);
  });

  test('start-first with one task per node and no spare node: Swarm cannot place the new task; exit 1 says so, the stack stays on v2', async () => {
    const err = await deploy({ env: env('start-first'), image: v1.ref, sha: v1.sha, actor: 'lab' }).then(() => undefined, (e: PipelineError) => e);
    assert.ok(isDeployError(err), String(err));
    assert.match(err!.message, /task pending: no suitable node \(max replicas per node limit exceed/);
    assert.match(err!.message, /probe: scheduling\n  last output: Swarm cannot place \S+_web\.\d for \d+ s: no suitable node/);
    assert.not.match(err!.message, /[\x00-\x08]/, 'no raw log-frame bytes');
    assert.equal((await openTarget(env()).list()).filter((i) => i.running).map((i) => i.digest), [v2.digest, v2.digest, v2.digest]);
  });
}

test.run();
