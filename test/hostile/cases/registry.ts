// Registries that are not there or not what the user said: exit 2 with what to check.
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostileCase } from '../case.js';

/** A loopback port nothing listens on (bound, then closed). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const ctx = (dir: string, dockerfile = 'FROM scratch\nCOPY Dockerfile /x\n') => {
  mkdirSync(join(dir, 'ctx'), { recursive: true });
  writeFileSync(join(dir, 'ctx', 'Dockerfile'), dockerfile);
  return join(dir, 'ctx');
};

export const cases: HostileCase[] = [
  {
    name: 'a push to a port where no registry ever answered: the address is wrong (exit 2)',
    setup: async (dir) => ({ args: ['build', ctx(dir), '--push', '--image', `127.0.0.1:${await deadPort()}/hostile-input/x`, '--tag', 't'] }),
    expect: { stderr: /cannot connect \(ECONNREFUSED\)\n  hint: is 127\.0\.0\.1:\d+ reachable\?/ },
  },
  {
    name: 'FROM a registry that is not there',
    setup: async (dir) => ({ args: ['build', ctx(dir, `FROM 127.0.0.1:${await deadPort()}/base/x:1\n`), '-o', `oci:${join(dir, 'out')}`] }),
    expect: { stderr: /cannot connect \(ECONNREFUSED\)/ },
  },
  {
    name: 'FROM an image the registry does not have',
    needs: ['registry'],
    setup: async (dir) => {
      const { services } = await import('../../lib/services.js');
      return { args: ['build', ctx(dir, `FROM ${services().registries.anon.host}/hostile-input/never-pushed:1\n`), '-o', `oci:${join(dir, 'out')}`] };
    },
    expect: { stderr: /HTTP 404 \(MANIFEST_UNKNOWN|NAME_UNKNOWN/ },
  },
];
