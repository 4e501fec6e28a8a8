export { main } from './main.js';
export type { Command, CommandContext } from './command.js';
export * from './api/index.js';
export { deployEnvironment, type DeployRequest, type DeployReport } from './commands/deploy-environment.js';
export * from './settings/index.js';
export { CONFIG_FILE, loadConfig, type PipelineConfig } from './config/index.js';
