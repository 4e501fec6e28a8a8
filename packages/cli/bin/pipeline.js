#!/usr/bin/env node
// Thin launcher: the CLI bundled into one file by `npm ci` (root prepare: tsc -b, then scripts/bundle.mjs);
// falls back to the unbundled build when the bundle is not there (e.g. right after tsc in development).
import { existsSync } from 'node:fs';


const bundle = new URL('../dist/pipeline.mjs', import.meta.url);
const { main } = await import(existsSync(bundle) && !process.env.PIPELINE_NO_BUNDLE ? bundle.href : '../dist/main.js');
process.exitCode = await main(process.argv.slice(2));
