#!/usr/bin/env node
// Bundles the GitHub Action into ONE committed file, dist/action/index.mjs (action.yml's `main`), from
// the TypeScript sources: no `npm install` on the runner. Target Node 20, so the same file runs on the
// runner's Node 24 and on Node 20. Licenses of every bundled package are written beside it.
//   node scripts/bundle-action.mjs [OUT_DIR]     (default dist/action)
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { licenseText } from './licenses.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function bundleAction(outDir = join(root, 'dist/action')) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['packages/action/src/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    outfile: join(outDir, 'index.mjs'),
    // The workspace packages from source (not their tsc output), so the bundle depends on nothing built.
    alias: {
      '@pipeline/core': './packages/core/src/index.ts',
      '@pipeline/build': './packages/build/src/index.ts',
      '@pipeline/deploy': './packages/deploy/src/index.ts',
      '@pipeline/cli': './packages/cli/src/index.ts',
      'node:module': './scripts/shims/node-module.mjs',
      // Only @actions/core's OIDC helper (getIDToken) uses it: not worth undici in every start-up.
      '@actions/http-client': './scripts/shims/actions-http-client.mjs',
      '@actions/http-client/lib/auth': './scripts/shims/actions-http-client.mjs',
    },
    // Optional native parts of ssh2: absent, they are skipped at run time (ssh2 falls back to JS).
    external: ['cpu-features', '*.node'],
    // CommonJS inside an ES module: require for Node's built-ins, __filename/__dirname (ssh2's wasm loader reads them).
    banner: { js: "import { createRequire as __pipelineRequire } from 'module'; import { fileURLToPath as __pipelineFileURLToPath } from 'url'; const require = __pipelineRequire(import.meta.url); const __filename = __pipelineFileURLToPath(import.meta.url); const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));" },
    // Smaller to parse on every start (the committed file is reproducible from the sources: see its test).
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const [out] = result.outputFiles;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'index.mjs'), out.contents);
  writeFileSync(join(outDir, 'licenses.txt'), licenseText(root, Object.keys(result.metafile.inputs)));
  return { file: join(outDir, 'index.mjs'), bytes: out.contents.length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await bundleAction(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`${r.file}: ${(r.bytes / 1048576).toFixed(2)} MiB`);
}
