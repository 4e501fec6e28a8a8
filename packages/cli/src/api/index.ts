// The programmatic API: what the CLI's commands and the GitHub Action (and the CI plugin) call.
// deployEnvironment is in commands/deploy-environment.ts (src/index.ts exports it with these).
export { buildAndPublish, type BuildRequest, type BuildReport, type PushReport } from './build-and-publish.js';
export { runPipeline, type PipelineRequest, type PipelineReport } from './run-pipeline.js';
export { openPipeline, type Session } from '../pipeline/session.js';
export type { ImageOutcome } from '../pipeline/run.js';
export type { ImageStats } from '../pipeline/stats.js';
export { lintDockerfiles, type LintFinding } from './lint.js';
