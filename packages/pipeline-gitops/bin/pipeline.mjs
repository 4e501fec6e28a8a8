#!/usr/bin/env node
// The `pipeline` command of the pipeline-gitops package: the CLI bundled into one file (dist/pipeline.mjs).
const { main } = await import('../dist/pipeline.mjs');
process.exitCode = await main(process.argv.slice(2));
