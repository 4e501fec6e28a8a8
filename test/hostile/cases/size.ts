// Inputs made to cost time and memory: multi-MiB lines, scalars and ignore files. Each is refused
// (or reported) quickly under the suite's heap cap, and the answer quotes at most a cut value.
// Their time and peak memory are measured in bench/bad-input.mjs, not asserted here.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostileCase } from '../case.js';

const MiB = 1024 * 1024;

function ctx(dir: string, dockerfile: string): string {
  mkdirSync(join(dir, 'ctx'), { recursive: true });
  writeFileSync(join(dir, 'ctx', 'Dockerfile'), dockerfile);
  return join(dir, 'ctx');
}

const build = (dir: string, dockerfile: string) => ({ args: ['build', ctx(dir, dockerfile), '-o', `oci:${join(dir, 'out')}`] });

export const cases: HostileCase[] = [
  {
    name: 'a 4 MiB unknown instruction (was 65 s and 2.8 GB, and echoed 4 MiB back)',
    setup: (dir) => build(dir, `FROM scratch\n${'A'.repeat(4 * MiB)}\n`),
    expect: { stderr: /Dockerfile: Dockerfile is 4\.0 MiB; the limit is 1 MiB/ },
  },
  {
    name: 'a 1 MiB unknown instruction, just under the cap: no suggestion table, the value cut',
    setup: (dir) => build(dir, `FROM scratch\n${'A'.repeat(MiB - 100)}\n`),
    expect: { stderr: /Dockerfile:2:1: unknown instruction "A{80}… \(1048476 characters\)"/ },
  },
  {
    name: 'a 1 MiB flag name',
    setup: (dir) => build(dir, `FROM scratch\nCOPY --${'x'.repeat(MiB - 100)}=1 a b\n`),
    expect: { stderr: /Dockerfile:2:6: unknown flag --x{80}… \(\d+ characters\) for COPY/ },
  },
  {
    name: 'a 1 MiB ENV key without a value',
    setup: (dir) => build(dir, `FROM scratch\nENV ${'K'.repeat(MiB - 100)}\n`),
    expect: { stderr: /Dockerfile:2:5: ENV K{80}… \(\d+ characters\) has no value/ },
  },
  {
    name: '${…} nested 100,000 deep (overflowed the stack: internal error)',
    setup: (dir) => build(dir, `FROM scratch\nENV A=${'${A:-'.repeat(100_000)}\n`),
    expect: { stderr: /Dockerfile:2:\d+: variable substitutions nested more than 100 deep/ },
  },
  {
    name: 'a JSON-form CMD of 100,000 arguments is fine (not an error)',
    setup: (dir) => build(dir, `FROM scratch\nCMD [${Array.from({ length: 100_000 }, () => '"x"').join(', ')}]\n`),
    expect: { code: 0, stderr: /FROM scratch/ },
  },
  {
    name: 'a 20 MiB YAML scalar in pipeline.yml (was 772 MB peak)',
    setup: (dir) => {
      writeFileSync(join(dir, 'pipeline.yml'), `version: 1\nimages:\n  app:\n    dockerfile: ${'a'.repeat(20 * MiB)}\n`);
      return { args: ['plan', '--config', join(dir, 'pipeline.yml')] };
    },
    expect: { stderr: /pipeline\.yml: pipeline\.yml is 20\.0 MiB; the limit is 1 MiB/ },
  },
  {
    name: 'a 20 MiB double-quoted YAML scalar (the shape that peaked at 772 MB)',
    setup: (dir) => {
      writeFileSync(join(dir, 'pipeline.yml'), `version: 1\nimages:\n  app:\n    dockerfile: "${'a'.repeat(20 * MiB)}"\n`);
      return { args: ['plan', '--config', join(dir, 'pipeline.yml')] };
    },
    expect: { stderr: /pipeline\.yml: pipeline\.yml is 20\.0 MiB; the limit is 1 MiB/ },
  },
  {
    name: 'a 1 MiB double-quoted YAML value, under the cap: parsed within the heap cap, the message cuts it',
    setup: (dir) => {
      writeFileSync(join(dir, 'pipeline.yml'), `version: 1\nlint:\n  disable:\n    - "${'k'.repeat(MiB - 100)}"\n`);
      return { args: ['plan', '--config', join(dir, 'pipeline.yml')] };
    },
    expect: { stderr: /pipeline\.yml:4:7: lint\.disable\[0\]: Expected a rule id like PL003, got 'k{80}… \(1048476 characters\)'/ },
  },
  {
    name: 'a 1 MiB YAML value, under the cap: the message cuts it',
    setup: (dir) => {
      writeFileSync(join(dir, 'pipeline.yml'), `version: 1\nlint:\n  disable:\n    - ${'k'.repeat(MiB - 100)}\n`);
      return { args: ['plan', '--config', join(dir, 'pipeline.yml')] };
    },
    expect: { stderr: /pipeline\.yml:4:7: lint\.disable\[0\]: Expected a rule id like PL003, got 'k{80}… \(1048476 characters\)'/ },
  },
  {
    name: 'a 1,000,000-character explicit YAML key: the message cuts it',
    setup: (dir) => {
      writeFileSync(join(dir, 'pipeline.yml'), `version: 1\n? ${'k'.repeat(1_000_000)}\n: 1\n`);
      return { args: ['plan', '--config', join(dir, 'pipeline.yml')] };
    },
    expect: { stderr: /pipeline\.yml:2:3: unknown key 'k{80}… \(1000000 characters\)' at the top level/ },
  },
  {
    name: 'a 500,000-character environment name: cut in the key path and the message',
    setup: (dir) => {
      writeFileSync(join(dir, 'pipeline.yml'), `version: 1\nimages: {}\nenvironments:\n  ? ${'e'.repeat(500_000)}\n  : {app: x}\n`);
      return { args: ['plan', '--config', join(dir, 'pipeline.yml')] };
    },
    expect: { stderr: /pipeline\.yml:5:5: environments\.e{80}… \(500000 characters\): Expected an environment name of at most 64/ },
  },
  {
    name: 'a 500,000-character image name',
    setup: (dir) => {
      writeFileSync(join(dir, 'pipeline.yml'), `version: 1\nimages:\n  ? ${'i'.repeat(500_000)}\n  : {dockerfile: Dockerfile}\n`);
      return { args: ['plan', '--config', join(dir, 'pipeline.yml')] };
    },
    expect: { stderr: /pipeline\.yml:3:5: images\.i{80}… \(500000 characters\): Expected an image name of lowercase letters, digits and \. _ - \(a registry repository component, at most 128 characters\)/ },
  },
  {
    name: 'YAML nested 100,000 deep',
    setup: (dir) => {
      writeFileSync(join(dir, 'pipeline.yml'), `version: 1\nx: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
      return { args: ['plan', '--config', join(dir, 'pipeline.yml')] };
    },
    expect: { stderr: /pipeline\.yml:2:\d+: YAML: the document nests too deeply/ },
  },
  {
    name: 'a 2 MiB .dockerignore',
    setup: (dir) => {
      const c = ctx(dir, 'FROM scratch\nCOPY Dockerfile /x\n');
      writeFileSync(join(c, '.dockerignore'), 'node_modules\n'.repeat((2 * MiB) / 13));
      return { args: ['build', c, '-o', `oci:${join(dir, 'out')}`] };
    },
    expect: { stderr: /\.dockerignore: \.dockerignore is 2\.0 MiB; the limit is 1 MiB/ },
  },
  {
    // One argument can be at most 128 KiB (Linux MAX_ARG_STRLEN).
    name: 'a 100 KB unknown command name',
    setup: () => ({ args: ['x'.repeat(100_000)] }),
    expect: { stderr: /unknown command "x{80}… \(100000 characters\)"/ },
  },
  {
    name: 'a 100 KB bad --build-arg',
    setup: (dir) => ({ args: ['build', ctx(dir, 'FROM scratch\n'), '--build-arg', `1${'x'.repeat(100_000)}=v`, '-o', `oci:${join(dir, 'out')}`] }),
    expect: { stderr: /Expected --build-arg KEY=VALUE.*, got "1x{79}… \(\d+ characters\)"/ },
  },
];
