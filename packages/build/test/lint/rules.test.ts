import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { effectiveUser, lintDockerfile, LINT_RULES, lintFails, unknownRuleIds } from '../../src/lint/index.js';
import { parse } from './parse.js';


/** `RULE@line:col` for one rule's findings; the other rules are disabled so each case tests one thing. */
const hits = (rule: string, text: string) =>
  lintDockerfile(parse(text), { disable: LINT_RULES.map((r) => r.id).filter((id) => id !== rule) }).map((f) => `${f.rule}@${f.line}:${f.column}`);

// [rule, positive Dockerfile, expected hits, negative Dockerfile]
const cases: [string, string, string[], string][] = [
  ['PL001', 'FROM node:20\nUSER node\nCMD node server.js\n', ['PL001@3:1'], 'FROM node:20\nUSER node\nCMD ["node", "server.js"]\n'],
  ['PL001', 'FROM node:20\nENTRYPOINT /app/start.sh\n', ['PL001@2:1'], 'FROM node:20\nCMD exec node server.js\n'],
  ['PL002', 'FROM node:20\nCMD ["sh", "-c", "nginx & node server.js"]\n', ['PL002@2:1'], 'FROM node:20\nENTRYPOINT ["tini", "--"]\nCMD ["sh", "-c", "nginx & node server.js"]\n'],
  ['PL002', 'FROM node:20\nCMD worker & node server.js\n', ['PL002@2:1'], 'FROM node:20\nCMD ["sh", "-c", "migrate && node server.js 2>&1"]\n'],
  ['PL003', 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\n', ['PL003@2:1'], 'FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n'],
  ['PL003', 'FROM debian:12\nRUN DEBIAN_FRONTEND=noninteractive apt install -y git\n', ['PL003@2:1'], 'FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y curl\n'],
  ['PL004', 'FROM debian:12\nRUN apt-get update && apt-get dist-upgrade -y\n', ['PL004@2:1'], 'FROM debian:12\nRUN apt-get update && apt-get install -y --only-upgrade openssl\n'],
  ['PL005', 'FROM debian:12\nRUN apt-get install -y curl\nRUN apt-get install -y git\nRUN apk add jq\n', ['PL005@3:1', 'PL005@4:1'], 'FROM debian:12\nRUN apt-get install -y curl git\nCOPY . /app\nRUN apt-get install -y jq\n'],
  ['PL006', 'FROM node:20\nENV DB_PASSWORD=hunter2\nARG NPM_TOKEN\nLABEL  api_key=x\n', ['PL006@2:1', 'PL006@3:1', 'PL006@4:8'], 'FROM node:20\nENV DB_PASSWORD_FILE=/run/secrets/db\nARG NODE_VERSION=20\nLABEL org.opencontainers.image.title=app\n'],
  ['PL006', 'FROM node:20\nENV AWS=AKIAIOSFODNN7EXAMPLE\n', ['PL006@2:1'], 'FROM node:20\nENV AWS_REGION=eu-west-1\n'],
  ['PL007', 'FROM node\nFROM debian:latest AS b\nFROM b\n', ['PL007@1:6', 'PL007@2:6'], 'FROM node:20.11.1 AS build\nFROM build\nFROM scratch\nFROM $BASE\nFROM debian@sha256:' + 'a'.repeat(64) + '\n'],
  ['PL007', 'FROM localhost:5000/team/os\n', ['PL007@1:6'], 'FROM localhost:5000/team/os:12.5\n'],
  ['PL008', 'FROM node:20\nADD src/ /app/\n', ['PL008@2:1'], 'FROM node:20\nADD app.tar.gz /app/\nADD https://example.com/x.txt /x.txt\n'],
  ['PL009', 'FROM node:20\nCOPY . /app\n', ['PL009@1:1'], 'FROM node:20\nUSER node\n'],
  ['PL009', 'FROM node:20 AS base\nUSER node\nFROM base\nUSER root\n', ['PL009@4:1'], 'FROM node:20 AS base\nUSER node\nFROM base\nCOPY . /app\n'],
  ['PL010', 'FROM alpine:3.19\nRUN apk add curl\n', ['PL010@2:1'], 'FROM alpine:3.19\nRUN apk add --no-cache curl\n'],
  ['PL011', 'FROM debian:12\nRUN sudo make install\n', ['PL011@2:1'], 'FROM debian:12\nRUN echo "no sudo here: sudoers" > /tmp/x\n'],
  ['PL012', 'FROM node:20\nWORKDIR app\n', ['PL012@2:9'], 'FROM node:20\nWORKDIR /app\nWORKDIR $HOME\n'],
  ['PL013', 'FROM node:20\nMAINTAINER Jane <jane@example.com>\n', ['PL013@2:1'], 'FROM node:20\nLABEL org.opencontainers.image.authors=jane\n'],
  ['PL014', 'FROM node:20\nRUN cd /src && make\n', ['PL014@2:1'], 'FROM node:20\nWORKDIR /src\nRUN (cd sub && make) && echo cd done\n'],
];

for (const [rule, bad, expected, good] of cases) {
  test(`${rule}: fires on ${JSON.stringify(bad.split('\n').slice(1).join(' | '))}`, () => {
    assert.equal(hits(rule, bad), expected);
  });
  test(`${rule}: quiet on ${JSON.stringify(good.split('\n').slice(1).join(' | '))}`, () => {
    assert.equal(hits(rule, good), []);
  });
}

test('every rule has a positive and a negative case', () => {
  assert.equal([...new Set(cases.map((c) => c[0]))].sort(), LINT_RULES.map((r) => r.id).sort());
});

test('a finding carries rule, severity, position, message and a one-line fix', () => {
  const [f] = lintDockerfile(parse('FROM node:20\nUSER node\nCMD node server.js\n'));
  assert.equal(f, { rule: 'PL001', severity: 'warning', line: 3, column: 1, message: 'CMD in shell form runs under /bin/sh -c, which does not forward SIGTERM to your process', fix: 'CMD ["node", "server.js"]' });
  for (const r of LINT_RULES) for (const [, bad] of cases.filter((c) => c[0] === r.id)) for (const x of lintDockerfile(parse(bad))) assert.not.match(x.fix, /\n/);
});

test('secret values never appear in the message', () => {
  const all = lintDockerfile(parse('FROM node:20\nUSER node\nENV GH=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB\n'));
  assert.equal(all.map((f) => f.rule), ['PL006']);
  assert.not.match(all[0].message + all[0].fix, /ghp_/);
  assert.match(all[0].message, /a GitHub token/);
});

test('the three-line app Dockerfile has only the USER warning; disable silences it', () => {
  const df = parse('FROM registry.local/team/node:20.11.1\nCOPY . /app\nCMD ["node", "/app/server.js"]\n');
  assert.equal(lintDockerfile(df).map((f) => f.rule), ['PL009']);
  assert.equal(lintDockerfile(df, { disable: ['PL009'] }), []);
});

test('PL009 knows what a base runs as when told: quiet on a non-root base, named on a root one', () => {
  const app = parse('FROM node\nCOPY . /app\n');
  const known = { pipelineImages: ['node'] };
  assert.equal(lintDockerfile(app, { ...known, baseUser: (i) => (i === 'node' ? '1000:1000' : undefined) }), []);
  const [f] = lintDockerfile(app, { ...known, baseUser: () => 'root' });
  assert.is(f.rule, 'PL009');
  assert.match(f.message, /node runs as root/);
  assert.equal(lintDockerfile(app, { ...known, baseUser: () => undefined }).map((x) => x.rule), ['PL009']);
  assert.is(effectiveUser(parse('FROM os AS b\nUSER app\nFROM b\nCOPY . /x\n')), 'app');
  assert.is(effectiveUser(parse('FROM os\nCOPY . /x\n'), (i) => (i === 'os' ? 'svc' : undefined)), 'svc');
  assert.is(effectiveUser(parse('FROM os\nCOPY . /x\n')), undefined);
});

test('findings come sorted by line, and builder-stage package caches are not reported', () => {
  const df = parse('FROM debian:12 AS build\nRUN apt-get install -y gcc\nFROM node\nRUN apk add curl\nMAINTAINER me\n');
  assert.equal(lintDockerfile(df).map((f) => `${f.rule}@${f.line}`), ['PL009@3', 'PL007@3', 'PL010@4', 'PL013@5']);
});

test('lintFails: errors fail, warnings only in strict mode; unknownRuleIds catches typos', () => {
  const warn = lintDockerfile(parse('FROM node:20\nCOPY . /app\n'));
  const err = lintDockerfile(parse('FROM node\nUSER node\n'));
  assert.is(lintFails(warn), false);
  assert.is(lintFails(warn, true), true);
  assert.is(lintFails(err), true);
  assert.is(lintFails([], true), false);
  assert.equal(unknownRuleIds(['PL001', 'PL099', 'DL3008']), ['PL099', 'DL3008']);
});

test.run();
