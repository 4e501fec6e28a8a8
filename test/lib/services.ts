// What tests know about the real services test/services/start runs, and the one rule for when they
// are missing: with CI=true the test fails (a missing service is a broken run); elsewhere the file
// prints one line `skip: <why>` and its service tests do not run.
//
//   import { needs, services } from '../lib/services.js';
//   if (needs(test, 'docker', 'registry')) {
//     test('push', async () => { const { host } = services().registries.basic; ... });
//   }
//   test.run();
//
// Services: 'docker' (an engine on the socket), 'swarm' (that engine is a Swarm manager),
// 'registry' (all three registries and the token server answer), 'images' (the base images exist),
// 'kubectl' (a kubectl with `kubectl kustomize`: the reference renderer for manifests).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { Test } from 'uvu';

export type RegistryName = 'anon' | 'basic' | 'token';

interface RegistryInfo {
  host: string; // `127.0.0.1:5000`: plain HTTP, loopback (docker/skopeo treat it as insecure-allowed)
  log: string; // the registry's own log (levels, error codes)
  accessLog: string; // one combined-format line per request; see test/lib/access-log.ts
}

export interface Services {
  state: string;
  docker: { socket: string };
  registries: {
    anon: RegistryInfo;
    basic: RegistryInfo & { username: string; password: string };
    token: RegistryInfo & { username: string; password: string; tokenServer: string; service: string; realm: string };
  };
  /**
   * busybox/node/distro: in the anonymous registry; local*: in the engine; oci*: `DIR:tag` OCI layouts.
   * distro has a distribution's shapes (merged /usr links, users named unlike their groups, odd modes): see test/services/images.
   * nodeCi: node + git + CA certificates (the CI plugin image's test base).
   */
  images: { busybox: string; node: string; distro: string; nodeCi: string; localBusybox: string; localNode: string; localDistro: string; localNodeCi: string; ociBusybox: string; ociNode: string; ociDistro: string };
}

export const STATE = process.env.PIPELINE_TEST_STATE ?? '/var/lib/pipeline-test';

let cached: Services | undefined;
export function services(): Services {
  cached ??= withDistro(JSON.parse(readFileSync(`${STATE}/services.json`, 'utf8')) as Services);
  return cached;
}

/** A services.json written by an older test/services/images (another checkout) lacks the distro and node-ci names; they are filled in. */
function withDistro(s: Services): Services {
  const i = s.images;
  if (!i) return s;
  // node-ci is named like node.
  i.nodeCi ??= i.node.replace('/base/node:', '/base/node-ci:');
  i.localNodeCi ??= i.localNode.replace('/node:', '/node-ci:');
  if (i.distro) return s;
  const oci = i.ociBusybox.replace(/\/busybox:[^/]*$/, '');
  return { ...s, images: { ...i, distro: `${i.busybox.split('/')[0]}/base/distro:1`, localDistro: 'pipeline-test/distro:1', ociDistro: `${oci}/distro:1` } };
}

export type ServiceName = 'docker' | 'swarm' | 'registry' | 'images' | 'kubectl';

const hint = 'run test/services/start as root';
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();

function missing(name: ServiceName): string | undefined {
  try {
    if (name === 'docker') run('docker', ['version', '--format', '{{.Server.Version}}']);
    if (name === 'swarm' && run('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}']) !== 'active') return 'the Docker engine is not a Swarm manager';
    if (name === 'registry') {
      const r = services().registries;
      const urls = [`http://${r.anon.host}/v2/`, `http://${r.basic.host}/v2/`, `http://${r.token.host}/v2/`, `${r.token.tokenServer}/healthz`];
      const codes = run('curl', ['-s', '-m', '5', '-w', '%{http_code}\\n', ...urls.flatMap((u) => ['-o', '/dev/null', u])]).split('\n');
      const want = ['200', '401', '401', '200'];
      const bad = urls.findIndex((_, i) => codes[i] !== want[i]);
      if (bad >= 0) return `${urls[bad]} answered ${codes[bad] === '000' ? 'nothing' : codes[bad]}, expected ${want[bad]} (${hint})`;
    }
    if (name === 'kubectl') run('kubectl', ['kustomize', '--help']);
    if (name === 'images') run('docker', ['image', 'inspect', '--format', '{{.Id}}', services().images.localBusybox, services().images.localNode, services().images.localDistro, services().images.localNodeCi]);
    return undefined;
  } catch {
    if (name === 'docker' || name === 'swarm') return `no Docker engine answers (${hint})`;
    if (name === 'images') return `the base images are missing (${hint})`;
    if (name === 'kubectl') return 'kubectl is not installed (test/services/packages installs Debian\'s kubernetes-client)';
    return `the ${name} service is not running (${hint})`;
  }
}

/** True when every named service is up; otherwise registers one failing test (CI=true) or prints `skip: <why>`. */
export function needs(test: Test, ...names: ServiceName[]): boolean {
  const why = names.map(missing).find(Boolean);
  if (!why) return true;
  if (process.env.CI && process.env.CI !== 'false') {
    test(`services available: ${names.join(', ')}`, () => {
      throw new Error(`required service missing in CI: ${why}`);
    });
  } else {
    console.log(`skip: ${why}`);
  }
  return false;
}
