// PL006, name by name: what a secret looks like in ENV/ARG/LABEL (and ONBUILD triggers), and the
// look-alikes that must stay quiet (pointers to a secret, official images' public key fingerprints).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lintDockerfile, LINT_RULES } from '../../src/lint/index.js';
import { parse } from './parse.js';

const only = { disable: LINT_RULES.map((r) => r.id).filter((id) => id !== 'PL006') };
const findings = (line: string) => lintDockerfile(parse(`FROM node:20\nUSER node\n${line}\n`), only);

const flagged = [
  'ENV DB_PASS=hunter2',
  'ENV DATABASE_URL=postgres://app:s3cret@db:5432/app',
  'ARG REDIS_URL=redis://default:pw@cache:6379',
  'ENV SSH_KEY=AAAAB3NzaC1yc2E',
  'ONBUILD ENV API_TOKEN=abc123',
  'ONBUILD ARG NPM_TOKEN',
  'ENV NPM_CONFIG__AUTH=dXNlcjpwYXNz',
  'ENV MYSQL_ROOT_PWD=t0ps3cret',
  'ENV db_pass=lowercase',
  'ENV DB_PASSWORD=hunter2',
  'ARG NPM_TOKEN',
  'LABEL api_key=x',
  'ENV PASSPHRASE=x',
  'ENV BASIC_AUTH=user:pw',
  'ENV GH=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB',
];

const quiet = [
  'ENV PASSWORD_FILE=/run/secrets/db',
  'ENV TOKEN_URL=https://auth.example.com/token',
  'ENV SECRET_NAME=db-password',
  'ENV DATABASE_URL=postgres://app:${DB_PASS}@db:5432/app',
  'ENV DATABASE_URL=postgres://app@db:5432/app',
  'ENV UPSTREAM=https://example.com:8443/path',
  'ENV PWD=/app',
  'ENV OLDPWD=/',
  'ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D',
  'ENV BYPASS_CACHE=1',
  'ENV PASSENGER_APP_ENV=production',
  'LABEL org.opencontainers.image.authors=jane',
  'ENV OAUTH_CLIENT_ID=web',
  'ENV SSH_KEY_PATH=/run/secrets/deploy_key',
  'ONBUILD COPY . /app',
  'ONBUILD ENV NODE_ENV=production',
];

for (const line of flagged) {
  test(`PL006 flags: ${line}`, () => {
    const f = findings(line);
    assert.is(f.length, 1, JSON.stringify(f));
    assert.is(f[0].rule, 'PL006');
    assert.equal([f[0].line, f[0].severity], [3, 'error']);
    const value = line.split('=').slice(1).join('=');
    if (value.length > 3) assert.not.ok(`${f[0].message}${f[0].fix}`.includes(value), 'the value is never repeated');
  });
}

for (const line of quiet) {
  test(`PL006 quiet: ${line}`, () => {
    assert.equal(findings(line), []);
  });
}

test('an ONBUILD finding names the trigger', () => {
  assert.match(findings('ONBUILD ENV API_TOKEN=abc123')[0].message, /^ONBUILD ENV API_TOKEN:/);
});

test.run();
