// An Argo CD-style manifests layout (base + overlays) and a gitops environment pointing at it.
import type { Digest } from '@pipeline/core';
import type { DesiredImage, GitopsEnvironment, ManifestSource } from '../../src/index.js';

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

export function environment(name: string, url: string, over: Partial<GitopsEnvironment> = {}): GitopsEnvironment {
  return {
    name,
    repository: { url, branch: 'main' },
    edits: [{ kind: 'kustomize', file: `overlays/${name}/kustomization.yaml`, name: REPO, keepTag: true }],
    push: { attempts: 40, maxDelay: 1000 },
    ...over,
  };
}

/** Files in memory as a manifests revision. */
export const memorySource = (files: Record<string, string>): ManifestSource => ({
  read: async (p) => files[p],
  yamlFiles: async (dir) => {
    const list = Object.keys(files).filter((p) => p.startsWith(`${dir.replace(/\/$/, '')}/`) && /\.ya?ml$/.test(p));
    return list.length ? list.sort() : undefined;
  },
});
