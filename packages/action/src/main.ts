// The Action's entry (bundled to dist/action/index.mjs, which action.yml runs on the runner's Node).
import { runAction } from './run.js';

process.exitCode = await runAction(process.env);
