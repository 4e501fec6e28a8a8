// Versioned test apps made here (nothing can be pulled): busybox httpd serving the version and /health.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Digest } from '@pipeline/core';
import { services } from '../../../../test/lib/services.js';
import { tempDir } from '../../../../test/lib/tmp.js';

export interface AppImage { version: string; repo: string; digest: Digest; ref: string; sha: string }

export type Flavor = 'ok' | 'no-health' | 'errors' | 'sickens' | 'sickens-2s' | 'flaps' | 'fails-as-api' | 'crashes';

/**
 * v1/v2 are healthy; `no-health` serves 404 on /health (probe fails); `errors` is healthy but
 * answers 500 on / (only the proxy's 5xx watch can catch it); `sickens` passes its probes, then
 * loses /health 4 s after start (its port stays open: only a probe that checks more can tell).
 * Every version also answers /cgi-bin/health (a CGI): 200 while /www/health exists, else 404; `flaps`
 * alternates it, 200, 500, 200, … per request (a pass resets the failure count, a failure the stability window).
 * `sickens-2s` loses /health 2 s after start; `fails-as-api` has no /health when started with ROLE=api (one
 * service of a stack fails, the other does not); `crashes` serves for 1 s, then its container exits 1.
 */
const BEFORE: Partial<Record<Flavor, string>> = {
  sickens: '(sleep 4; rm /www/health) & ',
  'sickens-2s': '(sleep 2; rm /www/health) & ',
  'fails-as-api': 'if [ \\"$ROLE\\" = api ]; then rm /www/health; fi; ',
};

export async function makeApp(repo: string, version: string, flavor: Flavor = 'ok'): Promise<AppImage> {
  const dir = tempDir('deploy-app-');
  mkdirSync(join(dir, 'www/cgi-bin'), { recursive: true });
  writeFileSync(join(dir, 'www/version'), `${version}\n`);
  if (flavor !== 'no-health') writeFileSync(join(dir, 'www/health'), 'ok\n');
  if (flavor === 'errors') {
    writeFileSync(join(dir, 'www/cgi-bin/index.cgi'), '#!/bin/sh\nprintf "Status: 500 Internal Server Error\\r\\nContent-Type: text/plain\\r\\n\\r\\nbroken\\n"\n', { mode: 0o755 });
  } else {
    // busybox httpd runs /cgi-bin/index.cgi for a directory without index.html: `errors` answers / with 500.
    writeFileSync(join(dir, 'www/index.html'), `${version}\n`);
  }
  const cgi = flavor === 'flaps'
    ? 'n=$(cat /tmp/flap 2>/dev/null || echo 0); echo $((n + 1)) > /tmp/flap\nif [ $((n % 2)) -eq 0 ]; then printf "Status: 200 OK\\r\\n\\r\\nok\\n"; else printf "Status: 500 Internal Server Error\\r\\n\\r\\nflap %s\\n" "$n"; fi\n'
    : 'if [ -f /www/health ]; then printf "Status: 200 OK\\r\\n\\r\\nok\\n"; else printf "Status: 404 Not Found\\r\\n\\r\\nno health\\n"; fi\n';
  writeFileSync(join(dir, 'www/cgi-bin/health'), `#!/bin/sh\n${cgi}`, { mode: 0o755 });
  writeFileSync(join(dir, 'httpd.conf'), '\n');
  writeFileSync(join(dir, 'Dockerfile'), [
    `FROM ${services().images.localBusybox}`,
    'COPY www /www',
    'COPY httpd.conf /etc/httpd.conf',
    `LABEL version=${version}`,
    flavor === 'crashes'
      ? `CMD ["/bin/sh", "-c", "echo starting ${version} on $PORT; httpd -f -vv -p \${PORT:-80} -h /www -c /etc/httpd.conf & sleep 1; echo crashing; exit 1"]`
      : `CMD ["/bin/sh", "-c", "echo starting ${version} on $PORT; ${BEFORE[flavor] ?? ''}exec httpd -f -vv -p \${PORT:-80} -h /www -c /etc/httpd.conf"]`,
  ].join('\n') + '\n');
  const tag = `${repo}:${version}`;
  await execa('docker', ['build', '-q', '-t', tag, dir], { env: { DOCKER_BUILDKIT: '0' } });
  await execa('docker', ['push', '-q', tag]);
  const { stdout } = await execa('docker', ['image', 'inspect', '--format', '{{json .RepoDigests}}', tag]);
  const digest = (JSON.parse(stdout) as string[]).find((r) => r.startsWith(`${repo}@`))!.split('@')[1] as Digest;
  const sha = `${version}000000`.padEnd(7, '0').slice(0, 7);
  return { version, repo, digest, ref: `${repo}@${digest}`, sha };
}

/** Removes every container, holder and image a test's app left on an engine. */
export async function cleanEngine(app: string, repo: string, dockerHost?: string): Promise<void> {
  const env = dockerHost ? { DOCKER_HOST: dockerHost } : {};
  const ids = (await execa('docker', ['ps', '-aq', '--filter', `label=dev.pipeline.app=${app}`], { env, reject: false })).stdout.split('\n').filter(Boolean);
  if (ids.length) await execa('docker', ['rm', '-f', ...ids], { env, reject: false });
  const imgs = (await execa('docker', ['images', '-q', repo], { env, reject: false })).stdout.split('\n').filter(Boolean);
  if (imgs.length) await execa('docker', ['rmi', '-f', ...new Set(imgs)], { env, reject: false });
}
