/** Labels pipeline puts on Swarm services and objects (beside Docker's own stack namespace label). */
export const SWARM_LABEL = {
  stack: 'com.docker.stack.namespace',
  stackImage: 'com.docker.stack.image',
  /** The hash of the spec pipeline wants, without the labels that change every deploy: equal means nothing to update. */
  specHash: 'dev.pipeline.spec-hash',
  /** The service's key under `services:`. */
  service: 'dev.pipeline.service',
  secretKey: 'dev.pipeline.secret',
} as const;
