export { runAction } from './run.js';
export type { ActionReport, ImageReport } from './report.js';
export { OUTPUTS } from './outputs.js';
