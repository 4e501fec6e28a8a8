// Host port ranges for tests on the shared engine: other engineers' runs deploy on the same host network,
// so a fixed range collides (`httpd: bind: Address already in use`). A random range, checked free now.
import { createServer } from 'node:net';

const free = (port: number) => new Promise<boolean>((resolve) => {
  const s = createServer();
  s.once('error', () => resolve(false));
  s.listen({ port, host: '0.0.0.0', exclusive: true }, () => s.close(() => resolve(true)));
});

/**
 * `FROM-TO`: `count` consecutive ports that nothing listens on, somewhere in 21000-32699: below Linux's
 * ephemeral range (32768-60999), where outgoing connections and port-0 listeners could take one later.
 */
export async function freeRange(count: number): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const from = 21000 + Math.floor(Math.random() * (11700 - count));
    let ok = true;
    for (let p = from; p < from + count && ok; p++) ok = await free(p);
    if (ok) return `${from}-${from + count - 1}`;
  }
  throw new Error(`no ${count} consecutive free ports found in 21000-32699`);
}
