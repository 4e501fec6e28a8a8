// An Argo CD-style manifests layout (base + overlays) and a gitops environment pointing at it.
import type { Digest } from '@pipeline/core';
import { parseDeployConfig, type DesiredImage, type GitopsEnvironment, type ManifestSource } from '../../src/index.js';

export const REPO = 'registry.example.com/team/web';
export const digestOf = (n: number): Digest => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}` as Digest;
export const shaOf = (n: number) => `a${n.toString(16).padStart(7, '0')}`.repeat(5);
export const desired = (n: number): DesiredImage => ({ name: REPO, tag: shaOf(n), sha: shaOf(n), digest: digestOf(n) });

export const BASE_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ${REPO}:v1
          ports: [{containerPort: 8080}]
`;

export const overlay = (env: string) => `# ${env} overlay
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: web-${env}
resources:
  - ../../base
images:
  - name: ${REPO}
    newTag: v1   # set by pipeline
`;

export function layout(envs: string[]): Record<string, string> {
  const files: Record<string, string> = {
    'base/deployment.yaml': BASE_DEPLOYMENT,
    'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'README.md': 'manifests\n',
  };
  for (const e of envs) files[`overlays/${e}/kustomization.yaml`] = overlay(e);
  return files;
}

/** Stands in for the YAML loader: every key path at line = its depth, so a test can tell which key was blamed. */
export const at = (path: (string | number)[]) => ({ file: 'pipeline.yml', line: path.length, column: 1 });

/** A `target: gitops` environment as pipeline.yml would declare it (kustomize overlay `overlays/<name>`), parsed by the one factory. */
export function environment(name: string, url: string, over: Record<string, unknown> = {}): GitopsEnvironment {
  const raw = { target: 'gitops', image: REPO, repository: { url, branch: 'main' }, edits: [{ kustomize: `overlays/${name}/kustomization.yaml` }], push: { attempts: 40, maxDelay: '1s' }, ...over };
  return parseDeployConfig({ [name]: raw }, at)[name] as GitopsEnvironment;
}

/** The image reference a deploy takes: repository@digest. */
export const imageRef = (n: number) => `${REPO}@${digestOf(n)}`;

/** Files in memory as a manifests revision. */
export const memorySource = (files: Record<string, string>): ManifestSource => ({
  read: async (p) => files[p],
  yamlFiles: async (dir) => {
    const list = Object.keys(files).filter((p) => p.startsWith(`${dir.replace(/\/$/, '')}/`) && /\.ya?ml$/.test(p));
    return list.length ? list.sort() : undefined;
  },
});
