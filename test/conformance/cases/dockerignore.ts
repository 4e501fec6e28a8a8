// .dockerignore (reference: Go filepath.Match patterns plus `**`, `!` exceptions, later lines win,
// directories excluded with what is below them).
import type { Case } from '../case.js';

const tree = {
  'README.md': 'r\n',
  'CHANGELOG.md': 'c\n',
  'src/app.js': 'a\n',
  'src/app.test.js': 't\n',
  'src/debug.log': 'l\n',
  'src/deep/er/trace.log': 'l\n',
  'node_modules/dep/index.js': 'd\n',
  'node_modules/keep/index.js': 'k\n',
  '.git/HEAD': 'ref\n',
  '.env': 'SECRET=1\n',
  'docs/guide.md': 'g\n',
  'docs/img/logo.png': 'png',
};

export const dockerignore: Case[] = [
  {
    name: 'ignore-double-star',
    why: 'reference: ** matches any number of directories (**/*.log)',
    dockerfile: 'FROM {{busybox}}\nCOPY . /app/\n',
    files: tree,
    dockerignore: '**/*.log\n',
  },
  {
    name: 'ignore-exceptions',
    why: 'reference: ! makes exceptions; the last matching line wins (*.md, !README.md)',
    dockerfile: 'FROM {{busybox}}\nCOPY . /app/\n',
    files: tree,
    dockerignore: '*.md\n!README.md\n**/*.md\n!docs/guide.md\n',
  },
  {
    name: 'ignore-directories',
    why: 'real world: node_modules, .git, .env excluded from COPY . .',
    dockerfile: 'FROM {{busybox}}\nWORKDIR /app\nCOPY . .\n',
    files: tree,
    dockerignore: 'node_modules\n.git\n.env\nDockerfile\n.dockerignore\n',
  },
  {
    name: 'ignore-dir-with-exception-below',
    why: 'reference: an exception inside an excluded directory brings that file back (node_modules, !node_modules/keep)',
    dockerfile: 'FROM {{busybox}}\nCOPY . /app/\n',
    files: tree,
    dockerignore: 'node_modules\n!node_modules/keep\ndocs/\n',
  },
  {
    name: 'ignore-everything-but',
    why: 'real world allow-list: * then !src !package.json',
    dockerfile: 'FROM {{busybox}}\nCOPY . /app/\n',
    files: { ...tree, 'package.json': '{}\n' },
    dockerignore: '*\n!src\n!package.json\nsrc/**/*.test.js\n',
  },
  {
    name: 'ignore-named-source',
    why: 'a source excluded by .dockerignore does not exist for COPY, even named explicitly',
    dockerfile: 'FROM {{busybox}}\nCOPY .env /app/\n',
    files: tree,
    dockerignore: '.env\n',
    expect: 'error',
  },
];
