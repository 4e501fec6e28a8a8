import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDockerfile } from '../../src/dockerfile/index.js';
import { externalImageRefs } from '../../src/executor/external-refs.js';

const refs = (text: string, args: Record<string, string> = {}) => externalImageRefs(parseDockerfile(text, 'Dockerfile'), args);

test('FROM and COPY --from images, ARGs before FROM expanded with build args; stages and scratch are not images', () => {
  const df = `ARG BASE=debian:12.5
ARG TOOLS=reg.io/tools:1
FROM \${BASE} AS build
COPY --from=reg.io/node:20 /usr/local/bin/node /n
FROM scratch
COPY --from=build /n /n
COPY --from=0 /n /m
COPY --from=\${TOOLS} /bin/x /x
`;
  assert.equal(refs(df), ['debian:12.5', 'reg.io/node:20', 'reg.io/tools:1']);
  assert.equal(refs(df, { BASE: 'debian:12.6@sha256:' + 'a'.repeat(64) }), ['debian:12.6@sha256:' + 'a'.repeat(64), 'reg.io/node:20', 'reg.io/tools:1']);
});

test('a stage the target does not need is not read; a name only known while building is left out', () => {
  const df = `FROM alpine:3.19 AS unused
FROM busybox:1.36
ARG LOCAL=x
COPY --from=img:\${LOCAL} /a /a
`;
  assert.equal(refs(df), ['busybox:1.36']);
});

test.run();
