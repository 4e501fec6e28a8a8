// Makes the benchmark fixture once: a real Node app whose node_modules is ~60 MB / ~3000 files
// (express, typescript, esbuild, dockerode from the npm registry), plus its three-line Dockerfile.
// Idempotent: reuses bench/.work/app when its node_modules is already there.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const work = fileURLToPath(new URL('./.work/', import.meta.url));
export const app = join(work, 'app');

export function stats(dir) {
  let files = 0, bytes = 0;
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const s = statSync(p, { throwIfNoEntry: false });
      if (!s) continue;
      if (s.isDirectory()) walk(p);
      else if (s.isFile()) (files++, (bytes += s.size));
    }
  };
  walk(dir);
  return { files, bytes };
}

export function makeFixture(base = '127.0.0.1:5000/base/node:20') {
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'bench-app', private: true, version: '1.0.0', dependencies: { express: '^4', typescript: '^5', esbuild: '^0.24', dockerode: '^4', lodash: '^4', moment: '^2' } }, null, 2));
  writeFileSync(join(app, 'src', 'server.js'), "const express = require('express');\nconst app = express();\napp.get('/', (_q, r) => r.send('bench ok'));\napp.listen(8080);\n");
  if (!existsSync(join(app, 'node_modules', 'express'))) {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=dev'], { cwd: app, stdio: 'inherit' });
  }
  // Two COPY lines: dependencies and code land in separate layers, so a code change rebuilds one small layer.
  writeFileSync(join(app, 'Dockerfile'), `FROM ${base}\nCOPY node_modules /app/node_modules\nCOPY src /app/src\nCMD ["node", "/app/src/server.js"]\n`);
  writeFileSync(join(app, '.dockerignore'), 'Dockerfile\n.dockerignore\n');
  return { app, ...stats(app) };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(makeFixture());
