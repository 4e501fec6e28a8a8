/** The CLI's version: `pipeline --version`, and the published package's (packages/pipeline-gitops checks they agree). */
export const VERSION = '0.1.0';
