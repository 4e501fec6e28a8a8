// Credentials that are broken in ways only the user can fix: a helper printing garbage, a Docker
// config that is not JSON. Exit 2, with where, never the text itself (it may hold the secret).
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { services } from '../../lib/services.js';
import type { HostileCase, Run } from '../case.js';

/** A push to the htpasswd registry (its 401 makes the CLI read credentials), with `docker` as DOCKER_CONFIG. */
function pushWith(dir: string, config: string, helperOutput?: string): Run {
  const host = services().registries.basic.host;
  mkdirSync(join(dir, 'ctx'), { recursive: true });
  writeFileSync(join(dir, 'ctx', 'Dockerfile'), 'FROM scratch\nCOPY Dockerfile /x\n');
  mkdirSync(join(dir, 'docker'));
  writeFileSync(join(dir, 'docker', 'config.json'), config.replace('HOST', host));
  const env: Record<string, string> = { DOCKER_CONFIG: join(dir, 'docker') };
  if (helperOutput !== undefined) {
    mkdirSync(join(dir, 'bin'));
    const helper = join(dir, 'bin', 'docker-credential-hostile');
    writeFileSync(helper, `#!/bin/sh\ncat >/dev/null\nprintf '%s' '${helperOutput}'\n`);
    chmodSync(helper, 0o755);
    env.PATH = `${join(dir, 'bin')}:${process.env.PATH}`;
  }
  return { args: ['build', join(dir, 'ctx'), '--push', '--image', `${host}/hostile-input/creds`, '--tag', 't'], env };
}

const SECRET = 'hunter2-hostile-input';

export const cases: HostileCase[] = [
  {
    name: 'a credential helper printing malformed JSON (was SyntaxError + stack trace)',
    needs: ['registry'],
    setup: (dir) => pushWith(dir, '{"credHelpers": {"HOST": "hostile"}}', `{"Username": "u", "Secret": "${SECRET}"`),
    expect: { stderr: /credential helper docker-credential-hostile printed something other than a JSON object/ },
    after: (_dir, r) => assert.not.ok(r.stderr.includes(SECRET), 'the helper output is never echoed'),
  },
  {
    name: 'a credential helper printing a JSON list',
    needs: ['registry'],
    setup: (dir) => pushWith(dir, '{"credsStore": "hostile"}', '[1, 2]'),
    expect: { stderr: /docker-credential-hostile printed something other than a JSON object/ },
  },
  {
    name: 'a Docker config.json that is not JSON: file:line:col, never its text',
    needs: ['registry'],
    setup: (dir) => pushWith(dir, `{\n  "auths": {\n    "HOST": {"auth": "${SECRET}"}\n  }\n  "oops": 1\n}\n`),
    expect: { stderr: /docker\/config\.json:5:3: the Docker config is not a valid JSON object/ },
    after: (_dir, r) => assert.not.ok(r.stderr.includes(SECRET)),
  },
];
