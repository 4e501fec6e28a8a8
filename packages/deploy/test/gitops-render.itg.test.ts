// The edited manifests rendered by the real thing: `kubectl kustomize` of the overlay must give the
// new image, pinned by digest. keepTag false is compared with an overlay written the way
// `kustomize edit set image NAME=REPO@DIGEST` writes one: both must render the same objects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { needs } from '../../../test/lib/services.js';
import { ManifestFiles, planEdits, writeChanges, type DesiredImage, type GitopsEdit } from '../src/index.js';
import { scratch } from './helpers/gitops-repo.js';
import { kustomizeBuild, renderedPin } from './helpers/kustomize.js';
import { BASE_DEPLOYMENT, desired, layout, memorySource, REPO } from './helpers/gitops-fixture.js';

const want: DesiredImage = desired(0xbeef);

/** Edits `files` in memory, writes the result to a directory, renders `overlay` with kubectl. */
async function render(files: Record<string, string>, edits: GitopsEdit[], overlay: string): Promise<{ objects: Record<string, unknown>[]; text: string; files: Record<string, string> }> {
  const mf = new ManifestFiles(memorySource(files));
  const written = await writeChanges(mf, await planEdits(mf, edits, want));
  const out = { ...files, ...Object.fromEntries(written.texts) };
  const dir = scratch('render-');
  for (const [p, t] of Object.entries(out)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), t);
  }
  const text = kustomizeBuild(dir, overlay);
  return { objects: parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>), text, files: out };
}

const images = (objs: Record<string, unknown>[]) =>
  objs.flatMap((o) => {
    const spec = (o.kind === 'CronJob' ? (o as any).spec.jobTemplate.spec.template.spec : (o as any).spec?.template?.spec ?? (o as any).spec) ?? {};
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c: { name: string; image: string }) => `${o.kind}/${c.name}=${c.image}`);
  });

const pinned = (withTag: boolean) => (withTag ? renderedPin(REPO, want.tag!, want.digest) : `${REPO}@${want.digest}`);

if (needs(test, 'kubectl')) {
  test('kustomize images: entry, tag kept: the overlay renders the new image pinned by digest', async () => {
    const r = await render(layout(['production']), [{ kind: 'kustomize', file: 'overlays/production/kustomization.yaml', name: REPO, keepTag: true }], 'overlays/production');
    assert.equal(images(r.objects), [`Deployment/web=${pinned(true)}`]);
  });

  test('kustomize, tag dropped: renders exactly what kustomize edit set image NAME=REPO@DIGEST would', async () => {
    const ours = await render(layout(['production']), [{ kind: 'kustomize', file: 'overlays/production/kustomization.yaml', name: REPO, keepTag: false }], 'overlays/production');
    const theirs = await render({ ...layout(['production']), 'overlays/production/kustomization.yaml': `namespace: web-production\nresources:\n- ../../base\nimages:\n- digest: ${want.digest}\n  name: ${REPO}\n  newName: ${REPO}\n` }, [], 'overlays/production');
    assert.is(ours.text, theirs.text);
    assert.equal(images(ours.objects), [`Deployment/web=${REPO}@${want.digest}`]);
  });

  test('raw manifests and Flux markers: what kustomize renders is exactly what the edit wrote', async () => {
    const multi = `${BASE_DEPLOYMENT}---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: "0 3 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          initContainers: [{name: web, image: "${REPO}:v1"}]\n          containers:\n          - name: other\n            image: busybox:1.36 # {"$imagepolicy": "flux-system:busybox"}\n`;
    const files = { 'apps/web.yaml': multi, 'apps/kustomization.yaml': 'resources:\n- web.yaml\n' };
    const r = await render(files, [{ kind: 'manifest', file: 'apps/web.yaml', container: 'web' }], 'apps');
    const full = `${REPO}:${want.tag}@${want.digest}`;
    assert.equal(images(r.objects), [`Deployment/web=${full}`, `CronJob/web=${full}`, 'CronJob/other=busybox:1.36']);
    const flux = await render({ ...files, 'apps/web.yaml': multi.replace('image: busybox:1.36', `image: ${REPO}:v0`).replace('flux-system:busybox', 'flux-system:web') }, [{ kind: 'flux', file: 'apps', policy: 'flux-system:web' }], 'apps');
    assert.equal(images(flux.objects), [`Deployment/web=${REPO}:v1`, `CronJob/web=${REPO}:v1`, `CronJob/other=${full}`]);
  });

  test('Flux :name/:tag/:digest markers in a kustomization render the pinned image', async () => {
    const k = `resources:\n- ../../base\nimages:\n- name: ${REPO}\n  newName: ghcr.io/old/web # {"$imagepolicy": "apps:web:name"}\n  newTag: v1 # {"$imagepolicy": "apps:web:tag"}\n  digest: sha256:${'a'.repeat(64)} # {"$imagepolicy": "apps:web:digest"}\n`;
    const r = await render({ ...layout([]), 'overlays/production/kustomization.yaml': k }, [{ kind: 'flux', file: 'overlays/production/kustomization.yaml', policy: 'apps:web' }], 'overlays/production');
    assert.equal(images(r.objects), [`Deployment/web=${pinned(true)}`]);
  });
}

test.run();
