export { main } from './main.js';
export type { Command, CommandContext } from './command.js';
export * from './api/index.js';
export * from './settings/index.js';
export { CONFIG_FILE } from './config/index.js';
