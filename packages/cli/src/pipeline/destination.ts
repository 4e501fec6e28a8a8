import { formatReference, parseReference, type Logger, type Reference } from '@pipeline/core';
import { artifactAnnotations, clientPool, putArtifact, subjectTag, type Credentials, type Descriptor, type RegistryClient } from '@pipeline/build';
import type { TestResult } from '@pipeline/build';

/** The manifest annotation that says what an image was built from (pipeline's input fingerprint). */
export const INPUTS_ANNOTATION = 'dev.pipeline.inputs';
/** Tests that passed against an image: an artifact beside it, cosign-style `sha256-<hex>.tests`. */
export const TESTS_ANNOTATION = 'dev.pipeline.tests';
const TESTS_TYPE = 'application/vnd.dev.pipeline.tests.v1+json';
const TESTS_SUFFIX = 'tests';

export interface RegistrySettings {
  url: string;
  namespace?: string;
  insecure: boolean;
}

/** Where an image of the pipeline goes: `registry/namespace/name`. */
export interface Destination {
  repo: Reference;
  /** `registry/repository`, the key of the record's `pushed`. */
  name: string;
  client(): Promise<RegistryClient>;
}

export function repositoryFor(reg: { url: string; namespace?: string }, name: string): Reference {
  const ref = parseReference(`${reg.url}/${reg.namespace ? `${reg.namespace}/` : ''}${name}`);
  return { registry: ref.registry, repository: ref.repository };
}

/** One client per registry for the whole run (tokens and connections reused). */
export function destinations(reg: RegistrySettings, o: { env?: NodeJS.ProcessEnv; logger?: Logger; logins?: Record<string, Credentials> }): (name: string) => Destination {
  const pool = clientPool({ insecure: reg.insecure ? [reg.url] : undefined, env: o.env, logger: o.logger, logins: o.logins });
  return (name) => {
    const repo = repositoryFor(reg, name);
    return { repo, name: formatReference(repo), client: () => pool(repo.registry) };
  };
}

/** The fingerprint of the tests that last passed against `digest` in this repository, if any. */
export async function readTestsRecord(client: RegistryClient, repo: Reference, digest: string): Promise<string | undefined> {
  return (await artifactAnnotations(client, repo, subjectTag(digest, TESTS_SUFFIX)))?.[TESTS_ANNOTATION];
}

/** Records in the registry that `subject` passed the tests with this fingerprint (the next run in any clone trusts it). */
export async function writeTestsRecord(client: RegistryClient, repo: Reference, subject: Descriptor, fingerprint: string, results: TestResult[], revision?: string): Promise<void> {
  const data = Buffer.from(JSON.stringify({ fingerprint, results }));
  await putArtifact(client, repo, {
    subject,
    tag: subjectTag(subject.digest, TESTS_SUFFIX),
    artifactType: TESTS_TYPE,
    data,
    annotations: { [TESTS_ANNOTATION]: fingerprint, ...(revision ? { 'org.opencontainers.image.revision': revision } : {}) },
  });
}
