/** Everything the tool knows about a container is in its labels, so state is read back from the hosts alone. */
export const LABEL = {
  app: 'dev.pipeline.app',
  env: 'dev.pipeline.env',
  role: 'dev.pipeline.role',
  digest: 'dev.pipeline.digest',
  image: 'dev.pipeline.image',
  sha: 'dev.pipeline.sha',
  deployId: 'dev.pipeline.deploy-id',
  previous: 'dev.pipeline.previous-digest',
  port: 'dev.pipeline.port',
  envHash: 'dev.pipeline.env-hash',
  ports: 'dev.pipeline.ports',
} as const;

/** `app` runs traffic; `lock` and `state` are never-started holders of the lock and the audit trail. */
export type Role = 'app' | 'lock' | 'state';
