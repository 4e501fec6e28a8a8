// examples/gitops work as documented: each example pipeline.yml's environments parse, deploy to a bare
// copy of the example manifests repository (verify left out: no Argo CD or Flux runs here), and the
// result renders with kubectl kustomize, pinned by digest.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { needs } from '../../../test/lib/services.js';
import { deploy, parseDeployConfig, type GitopsEnvironment } from '../src/index.js';
import { git, manifestsRemote, scratch, type ManifestsRemote } from './helpers/gitops-repo.js';
import { digestOf, shaOf } from './helpers/gitops-fixture.js';
import { kustomizeBuild, renderedPin } from './helpers/kustomize.js';

const examples = fileURLToPath(new URL('../../../examples/gitops/', import.meta.url));

function filesOf(dir: string, root = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) filesOf(p, root, out);
    else out[relative(root, p)] = readFileSync(p, 'utf8');
  }
  return out;
}

function environmentOf(style: string, name: string, r: ManifestsRemote): GitopsEnvironment {
  const doc = parse(readFileSync(join(examples, style, 'pipeline.yml'), 'utf8')) as { environments: Record<string, unknown> };
  const env = parseDeployConfig(doc.environments, (p) => ({ file: `${style}/pipeline.yml`, line: p.length }))[name] as GitopsEnvironment;
  return { ...env, repository: { url: r.bare, branch: 'main' }, verify: undefined };
}

function render(r: ManifestsRemote, path: string): string {
  const dir = scratch('example-');
  git(dir, 'clone', '-q', r.bare, 'm');
  return kustomizeBuild(join(dir, 'm'), path);
}

if (needs(test, 'kubectl')) {
  test('argocd: kustomize overlays and Helm values, edited in place and rendered pinned', async () => {
    const r = manifestsRemote(filesOf(join(examples, 'argocd', 'manifests')));
    for (const name of ['staging', 'production']) {
      const res = await deploy({ env: environmentOf('argocd', name, r), image: `registry.example.com/team/web@${digestOf(7)}`, sha: shaOf(7), actor: 'ci' });
      assert.is(res.plan.batches.length, 1, name);
    }
    await deploy({ env: environmentOf('argocd', 'api-production', r), image: `registry.example.com/team/api@${digestOf(8)}`, sha: shaOf(8), actor: 'ci' });
    const prod = render(r, 'apps/web/overlays/production');
    assert.ok(prod.includes(`image: ${renderedPin('registry.example.com/team/web', shaOf(7), digestOf(7))}\n`), prod);
    assert.match(r.show('apps/web/overlays/staging/kustomization.yaml'), new RegExp(`  - name: registry.example.com/team/web\n    newTag: ${shaOf(7)}\n    digest: ${digestOf(7)}\n$`));
    assert.match(r.show('apps/api/values-production.yaml'), new RegExp(`  tag: "${shaOf(8)}"     # the chart renders .*\n  digest: "${digestOf(8)}"\n`));
    assert.is(git(r.bare, 'rev-list', '--count', 'main').trim(), '4');
  });

  test('flux: every marker of flux-system:web under apps/ is set; the Kustomization renders it', async () => {
    const r = manifestsRemote(filesOf(join(examples, 'flux', 'manifests')));
    await deploy({ env: environmentOf('flux', 'production', r), image: `registry.example.com/team/web@${digestOf(9)}`, sha: shaOf(9), actor: 'ci' });
    assert.match(r.show('apps/web/deployment.yaml'), new RegExp(`image: registry.example.com/team/web:${shaOf(9)}@${digestOf(9)} # \\{"\\$imagepolicy": "flux-system:web"\\}\n`));
    assert.match(render(r, 'apps/web'), new RegExp(`image: registry.example.com/team/web:${shaOf(9)}@${digestOf(9)}\n`));
  });
}

test.run();
