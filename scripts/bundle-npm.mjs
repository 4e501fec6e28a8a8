#!/usr/bin/env node
// Bundles the CLI for the published package (packages/pipeline-gitops): the workspace packages and every
// pure-JS dependency in one file from the TypeScript sources, so the package declares only what stays
// outside the bundle (dockerode and ssh2: loaded on first use, ssh2 with optional native parts).
// Run by the package's prepack (npm pack / npm publish); writes dist/ beside its package.json.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { licenseText } from './licenses.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkgDir = join(root, 'packages/pipeline-gitops');

/** What the bundle leaves to npm: exactly the package's declared dependencies (and ssh2's optional native helper). */
export const NPM_EXTERNALS = [...Object.keys(JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).dependencies), 'cpu-features'];

export async function bundleNpm(outDir = join(pkgDir, 'dist')) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['packages/cli/src/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(outDir, 'pipeline.mjs'),
    alias: {
      '@pipeline/core': './packages/core/src/index.ts',
      '@pipeline/build': './packages/build/src/index.ts',
      '@pipeline/deploy': './packages/deploy/src/index.ts',
    },
    external: NPM_EXTERNALS,
    banner: { js: "import { createRequire as __pipelineRequire } from 'node:module'; const require = __pipelineRequire(import.meta.url);" },
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'THIRD-PARTY-LICENSES.txt'), licenseText(root, Object.keys(result.metafile.inputs)));
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await bundleNpm();
