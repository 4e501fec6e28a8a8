// `target: gitops` in pipeline.yml, through the one factory (parseDeployConfig): exact values with
// defaults, and every mistake an exit-2 error naming the key path and its position.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isConfigError } from '@pipeline/core';
import { parseDeployConfig, type GitopsEnvironment } from '../src/index.js';

// Stands in for the YAML loader: the line is the key path's depth (below environments), the column its last key's length.
const at = (path: (string | number)[]) => ({ file: 'pipeline.yml', line: path.length - 1, column: String(path.at(-1)).length });
const parse = (raw: unknown) => parseDeployConfig({ production: raw }, at).production as GitopsEnvironment;
const strip = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
const gitops = (e: GitopsEnvironment) => strip({ name: e.name, target: e.target, image: e.image, repository: e.repository, edits: e.edits, verify: e.verify, push: e.push, lock: e.lock, prune: e.prune, history: e.history });

const base = { target: 'gitops', repository: 'git@github.com:org/manifests.git', edits: [{ kustomize: 'overlays/production/kustomization.yaml', name: 'web' }] };

function bad(raw: unknown, path: string, expected: RegExp): void {
  try {
    parse(raw);
  } catch (e) {
    assert.ok(isConfigError(e), String(e));
    assert.is(e.exitCode, 2);
    assert.ok(e.message.startsWith(`${path}: Expected `), e.message);
    assert.match(e.message, expected);
    assert.is(e.position?.line, path.split('.').length);
    return;
  }
  assert.unreachable(`no error for ${JSON.stringify(raw)}`);
}

test('a full environment with every edit kind parses to exact values', () => {
  const env = parse({
    target: 'gitops',
    image: 'registry.example.com/team/web',
    repository: { url: 'https://github.com/org/manifests.git', branch: 'deploy/prod', token: { env: 'MANIFESTS_TOKEN' }, username: 'oauth2' },
    edits: [
      { kustomize: './overlays/production/kustomization.yaml', keepTag: false },
      { helm: 'charts/web/values-prod.yaml', paths: { registry: 'image.registry', repository: 'image.repository', tag: 'image.tag', digest: 'image.digest' } },
      { manifest: 'apps/web.yaml', container: 'web', workload: 'Deployment/web' },
      { flux: 'clusters/prod', policy: 'flux-system:web' },
    ],
    verify: { http: { url: 'https://web.example.com/version', header: 'X-Image-Digest', match: 'sha' }, command: ['kubectl', 'rollout', 'status', 'deploy/web'], timeout: '10m', interval: '2s' },
    push: { attempts: 50, maxDelay: '5s' },
    history: { git: { branch: 'pipeline/deploys' } },
  });
  assert.equal(gitops(env), {
    name: 'production',
    target: 'gitops',
    image: 'registry.example.com/team/web',
    repository: { url: 'https://github.com/org/manifests.git', branch: 'deploy/prod', tokenEnv: 'MANIFESTS_TOKEN', username: 'oauth2' },
    edits: [
      { kind: 'kustomize', file: 'overlays/production/kustomization.yaml', name: 'registry.example.com/team/web', keepTag: false },
      { kind: 'helm', file: 'charts/web/values-prod.yaml', paths: { registry: 'image.registry', repository: 'image.repository', tag: 'image.tag', digest: 'image.digest' } },
      { kind: 'manifest', file: 'apps/web.yaml', container: 'web', workload: 'Deployment/web' },
      { kind: 'flux', file: 'clusters/prod', policy: 'flux-system:web' },
    ],
    verify: { timeout: 600_000, interval: 2000, http: { url: 'https://web.example.com/version', match: 'sha', header: 'X-Image-Digest' }, command: ['kubectl', 'rollout', 'status', 'deploy/web'] },
    push: { attempts: 50, maxDelay: 5000 },
    lock: { wait: 0, stale: 1_800_000 },
    prune: { keep: 3, auto: false },
    history: { git: { branch: 'pipeline/deploys', file: 'deploys/production.jsonl', repo: '.' } },
  });
  // Each edit (and the repository) knows where its keys are in pipeline.yml.
  assert.equal(env.edits[2].at?.('container'), at(['environments', 'production', 'edits', 2, 'container']));
  assert.equal(env.edits[0].at?.('file'), at(['environments', 'production', 'edits', 0, 'kustomize']));
  assert.equal(env.edits[1].at?.('paths.tag'), at(['environments', 'production', 'edits', 1, 'paths', 'tag']));
  assert.equal(env.repository.at?.('token.env'), at(['environments', 'production', 'repository', 'token', 'env']));
});

test('defaults: branch main, keepTag true, no verify, 30 push attempts', () => {
  const env = parse(base);
  assert.equal(gitops(env), { name: 'production', target: 'gitops', repository: { url: 'git@github.com:org/manifests.git', branch: 'main' }, edits: [{ kind: 'kustomize', file: 'overlays/production/kustomization.yaml', name: 'web', keepTag: true }], push: { attempts: 30, maxDelay: 2000 }, lock: { wait: 0, stale: 1_800_000 }, prune: { keep: 3, auto: false } });
  assert.equal(parse({ ...base, verify: { http: 'http://127.0.0.1:8080/v' } }).verify, { timeout: 300_000, interval: 5000, http: { url: 'http://127.0.0.1:8080/v', match: 'digest' } });
});

test('mistakes: the key path, what was expected, its position', () => {
  bad({ ...base, target: 'kubernetes' }, 'production.target', /one of docker, swarm, gitops/);
  bad({ ...base, hosts: ['unix:///x'] }, 'production.hosts', /one of the keys target, app, image, history, repository, edits, verify, push/);
  bad({ ...base, probe: { tcp: true } }, 'production.probe', /one of the keys/);
  bad({ ...base, repository: undefined }, 'production.repository', /a mapping|a non-empty string/);
  bad({ ...base, repository: { url: 'x', branch: 'a..b' } }, 'production.repository.branch', /a valid git branch name/);
  bad({ ...base, repository: { url: 'git@h:x', token: { env: 'T' } } }, 'production.repository.token', /only with an https:\/\/ URL/);
  bad({ ...base, edits: [] }, 'production.edits', /at least one edit/);
  bad({ ...base, edits: [{ kustomize: 'a.yaml', helm: 'b.yaml' }] }, 'production.edits.0', /exactly one of kustomize, helm, manifest, flux/);
  bad({ ...base, edits: [{ kustomize: '../a.yaml', name: 'x' }] }, 'production.edits.0.kustomize', /relative to the root of the manifests repository/);
  bad({ ...base, edits: [{ kustomize: 'a.yaml' }] }, 'production.edits.0.name', /the images: entry name/);
  bad({ ...base, edits: [{ kustomize: 'a.yaml', name: 'x', container: 'y' }] }, 'production.edits.0.container', /one of the keys kustomize, name, keepTag/);
  bad({ ...base, edits: [{ helm: 'v.yaml', paths: { repository: 'image.repository' } }] }, 'production.edits.0.paths', /image, tag or digest/);
  bad({ ...base, edits: [{ helm: 'v.yaml', paths: { tag: 'image..tag' } }] }, 'production.edits.0.paths.tag', /a dotted values path/);
  bad({ ...base, edits: [{ helm: 'v.yaml', paths: { image: 'image', tag: 'tag' } }] }, 'production.edits.0.paths.image', /image alone/);
  bad({ ...base, edits: [{ manifest: 'd.yaml' }] }, 'production.edits.0.container', /a non-empty string/);
  bad({ ...base, edits: [{ manifest: 'd.yaml', container: 'web', workload: 'Service/web' }] }, 'production.edits.0.workload', /Kind or Kind\/name of a workload/);
  bad({ ...base, edits: [{ flux: 'clusters', policy: 'web' }] }, 'production.edits.0.policy', /NAMESPACE:NAME/);
  bad({ ...base, verify: {} }, 'production.verify', /http or command/);
  bad({ ...base, verify: { http: 'ftp://x' } }, 'production.verify.http', /an http:\/\/ or https:\/\/ URL/);
  bad({ ...base, verify: { command: [] } }, 'production.verify.command', /non-empty list/);
  bad({ ...base, verify: { command: ['true'], timeout: 'soon' } }, 'production.verify.timeout', /duration/);
  bad({ ...base, image: 'registry.example.com/team/web:v1' }, 'production.image', /without tag or digest/);
  bad({ ...base, push: { attempts: 0 } }, 'production.push.attempts', /an integer from 1/);
});

test.run();
