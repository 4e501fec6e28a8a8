// Bundles the CLI into one ESM file: loading ~150 small modules cost ~150 ms of start-up, which a
// one-file-changed rebuild (goal ≤ 0.5 s in all) cannot afford. dockerode/ssh2 stay external: they
// load only when an engine is used. The Action's dist is bundled the same way.
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['dockerode', 'ssh2', 'cpu-features'],
  banner: { js: "import { createRequire as __pipelineRequire } from 'node:module'; const require = __pipelineRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
};
const cli = await build({ ...common, entryPoints: ['packages/cli/dist/main.js'], outfile: 'packages/cli/dist/pipeline.mjs', metafile: true });
// What went into the bundle and how each module is reached: the start-up test reads it.
writeFileSync('packages/cli/dist/pipeline.meta.json', JSON.stringify(cli.metafile));

// The CI plugin image holds Node and this one file, no node_modules: everything is bundled, dockerode
// and ssh2 too (still loaded on first use only). Their optional native parts (ssh2's crypto binding,
// cpu-features) stay out; ssh2 falls back to Node's crypto without them.
await build({
  ...common,
  external: ['cpu-features', '*.node'],
  // CommonJS dependencies that are now bundled may read __dirname/__filename when first loaded.
  banner: { js: `${common.banner.js} import { fileURLToPath as __pipelineFileURLToPath } from 'node:url'; import { dirname as __pipelineDirname } from 'node:path'; const __filename = __pipelineFileURLToPath(import.meta.url); const __dirname = __pipelineDirname(__filename);` },
  stdin: { contents: "import { main } from './packages/cli/dist/main.js';\nprocess.exitCode = await main(process.argv.slice(2));\n", resolveDir: '.', sourcefile: 'standalone.js' },
  outfile: 'packages/cli/dist/standalone/pipeline.mjs',
});
