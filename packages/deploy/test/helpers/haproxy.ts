// A real HAProxy (Debian's) for tests: one frontend on loopback, one empty backend the rollout fills.
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { haproxyCommand } from '../../src/index.js';

export interface TestProxy { port: number; socket: string; backend: string; stop(): Promise<void> }

export async function startHaproxy(port: number): Promise<TestProxy> {
  const dir = `/run/pl-haproxy-${process.pid}-${port}`;
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'admin.sock');
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, `global
  stats socket ${socket} mode 600 level admin
  log stderr format short local0 notice
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  # a connection refused by a just-stopped server is retried on another one
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response
frontend fe
  bind 127.0.0.1:${port}
  default_backend app
backend app
  balance roundrobin
`);
  const p = execa('haproxy', ['-f', cfg, '-db'], { reject: false, stdout: { file: join('/tmp', `pl-haproxy-${port}.log`) }, stderr: { file: join('/tmp', `pl-haproxy-${port}.err`) } });
  for (let k = 0; k < 50; k++) {
    if (await haproxyCommand(socket, 'show info').then(() => true, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await haproxyCommand(socket, 'show info');
  return {
    port, socket, backend: 'app',
    async stop() {
      p.kill('SIGTERM');
      await p;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
