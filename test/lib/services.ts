// What tests know about the real services test/services/start runs, and the one rule for when they
// are missing: with CI=true the test fails (a missing service is a broken run); elsewhere the file
// prints one line `skip: <why>` and its service tests do not run.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { Test } from 'uvu';

export interface Services {
  docker: { socket: string };
  registries: {
    anon: { host: string; log: string };
    basic: { host: string; username: string; password: string; log: string };
    token: { host: string; username: string; password: string; tokenServer: string; log: string };
  };
  images: { busybox: string; node: string; localBusybox: string; localNode: string };
}

const STATE = process.env.PIPELINE_TEST_STATE ?? '/var/lib/pipeline-test';

export function services(): Services {
  return JSON.parse(readFileSync(`${STATE}/services.json`, 'utf8')) as Services;
}

export type ServiceName = 'docker' | 'registry' | 'swarm';

function missing(name: ServiceName): string | undefined {
  try {
    if (name === 'docker') execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
    if (name === 'swarm') {
      const s = execFileSync('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'], { encoding: 'utf8', timeout: 10_000 }).trim();
      if (s !== 'active') return 'the Docker engine is not a Swarm manager';
    }
    if (name === 'registry') {
      services();
      execFileSync('curl', ['-sf', '-o', '/dev/null', 'http://127.0.0.1:5000/v2/'], { stdio: 'ignore', timeout: 5_000 });
    }
    return undefined;
  } catch {
    return name === 'docker' ? 'no Docker engine answers (run test/services/start as root)' : `the ${name} service is not running (run test/services/start as root)`;
  }
}

/** True when every named service is up; otherwise registers a failing test (CI) or prints a skip line. */
export function needs(test: Test, ...names: ServiceName[]): boolean {
  const why = names.map(missing).find(Boolean);
  if (!why) return true;
  if (process.env.CI) {
    test(`services available: ${names.join(', ')}`, () => {
      throw new Error(`required service missing in CI: ${why}`);
    });
  } else {
    console.log(`skip: ${why}`);
  }
  return false;
}
