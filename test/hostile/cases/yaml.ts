// pipeline.yml that YAML itself rejects, or that abuses YAML: each error names file:line:col.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostileCase } from '../case.js';

const plan = (dir: string, text: string) => {
  writeFileSync(join(dir, 'pipeline.yml'), text);
  return { args: ['plan', '--config', join(dir, 'pipeline.yml')] };
};

export const cases: HostileCase[] = [
  {
    name: 'an alias without its anchor (was an error without a line)',
    setup: (dir) => plan(dir, 'version: 1\nimages:\n  app:\n    dockerfile: *nope\n'),
    expect: { stderr: /pipeline\.yml:4:17: YAML: unknown alias \*nope\n  hint: define the anchor &nope before its alias/ },
  },
  {
    name: 'an alias bomb ("billion laughs")',
    setup: (dir) => plan(dir, ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]', ''].join('\n')),
    expect: { stderr: /pipeline\.yml:3:\d+: YAML: the aliases expand to more than 100 nodes/ },
  },
  {
    name: 'a tab as indentation',
    setup: (dir) => plan(dir, 'version: 1\nimages:\n\tapp: {}\n'),
    expect: { stderr: /pipeline\.yml:3:\d+: YAML: .*\n  hint: indent with spaces/ },
  },
  {
    name: 'a binary tag where a number belongs',
    setup: (dir) => plan(dir, 'version: !!binary aGVsbG8=\n'),
    expect: { stderr: /pipeline\.yml:1:\d+: version: Expected version: 1, got/ },
  },
  {
    name: 'UTF-16 text',
    setup: (dir) => plan(dir, Buffer.from('\ufeffversion: 1\n', 'utf16le').toString('latin1')),
    expect: { stderr: /pipeline\.yml/ },
  },
];
