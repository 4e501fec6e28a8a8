// What an edit does with manifests that do not match it: exit-2 errors positioned at the edit's key in
// pipeline.yml, naming the manifest file and what it holds instead; and the scalar rules at the edges.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isConfigError, type SourcePosition } from '@pipeline/core';
import { ManifestFiles, planEdits, plainIsString, writeChanges, type DesiredImage, type GitopsEdit } from '../src/index.js';

const DESIRED: DesiredImage = { name: 'registry.example.com/team/web', tag: 'abc1234', digest: `sha256:${'b'.repeat(64)}` };
const at = (key?: string): SourcePosition => ({ file: 'pipeline.yml', line: 7, column: key === 'file' ? 9 : 11 });
const files = (f: Record<string, string>) => new ManifestFiles({ read: async (p) => f[p], yamlFiles: async () => undefined });

async function fails(edit: GitopsEdit, content: Record<string, string>, message: RegExp, column = 11) {
  const err = await planEdits(files(content), [{ ...edit, at } as GitopsEdit], DESIRED).then(() => undefined, (e: unknown) => e);
  assert.ok(isConfigError(err), `expected a ConfigError, got ${String(err)}`);
  assert.is(err.exitCode, 2);
  assert.match(err.message, message);
  assert.equal(err.position, { file: 'pipeline.yml', line: 7, column });
}

async function edited(edit: GitopsEdit, text: string): Promise<string> {
  const f = files({ [edit.file]: text });
  return (await writeChanges(f, await planEdits(f, [edit], DESIRED))).texts.get(edit.file) ?? text;
}

test('a missing file is positioned at the edit file key', async () => {
  await fails({ kind: 'kustomize', file: 'overlays/prod/kustomization.yaml', name: 'web', keepTag: true }, {}, /Expected overlays\/prod\/kustomization.yaml in the manifests repository, got no such file/, 9);
});

test('kustomize: no entry with that name lists the names there', async () => {
  await fails({ kind: 'kustomize', file: 'k.yaml', name: 'web', keepTag: true }, { 'k.yaml': 'images:\n- name: api\n- name: redis\n' }, /k.yaml: Expected an images: entry with name: web, got only api, redis/);
  await fails({ kind: 'kustomize', file: 'k.yaml', name: 'web', keepTag: true }, { 'k.yaml': 'resources: [a.yaml]\n' }, /got no images: list/);
});

test('helm: a path that is not in the values names what is there', async () => {
  const values = 'image:\n  repository: x\n  tag: v1\n';
  await fails({ kind: 'helm', file: 'values.yaml', paths: { tag: 'image.tag', digest: 'image.digest' } }, { 'values.yaml': values }, /values.yaml: Expected a value at image.digest, got only the keys repository, tag there/);
  await fails({ kind: 'helm', file: 'values.yaml', paths: { tag: 'app.image.tag' } }, { 'values.yaml': values }, /Expected a value at app.image.tag, got nothing at app.image/);
  await fails({ kind: 'helm', file: 'values.yaml', paths: { tag: 'image' } }, { 'values.yaml': values }, /values.yaml:1:1: Expected image to be a scalar, got a mapping|values.yaml:2:3: Expected image to be a scalar, got a mapping/);
});

test('manifest: a container that is not there lists the containers found', async () => {
  const dep = 'kind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: x:1\n';
  await fails({ kind: 'manifest', file: 'd.yaml', container: 'web' }, { 'd.yaml': dep }, /d.yaml: Expected a container named web in the workloads, got only Deployment\/web app/);
  await fails({ kind: 'manifest', file: 'd.yaml', container: 'app', workload: 'StatefulSet/web' }, { 'd.yaml': dep }, /Expected a container named app in StatefulSet\/web's containers, got no workload with containers/);
  await fails({ kind: 'manifest', file: 'd.yaml', container: 'app' }, { 'd.yaml': 'kind: ConfigMap\ndata: {}\n' }, /got no workload with containers/);
});

test('flux: no marker for the policy names the policies that have markers', async () => {
  await fails({ kind: 'flux', file: 'd.yaml', policy: 'flux-system:web' }, { 'd.yaml': 'image: x:1 # {"$imagepolicy": "flux-system:api"}\n' }, /got markers for flux-system:api only/);
});

test('invalid YAML in a manifest: exit 2 at the manifest line and column', async () => {
  const err = await planEdits(files({ 'k.yaml': 'images:\n  - name: web\n   newTag: [v1\n' }), [{ kind: 'kustomize', file: 'k.yaml', name: 'web', keepTag: true }], DESIRED).catch((e: unknown) => e);
  assert.ok(isConfigError(err));
  assert.is(err.position?.file, 'k.yaml');
  assert.ok((err.position?.line ?? 0) >= 2);
});

test('a block scalar is not rewritten: exit 2 at its position', async () => {
  const err = await edited({ kind: 'helm', file: 'v.yaml', paths: { image: 'image' } }, 'image: |\n  x:1\n').catch((e: unknown) => e);
  assert.ok(isConfigError(err));
  assert.equal(err.position, { file: 'v.yaml', line: 1, column: 8 });
});

test('plain scalars stay plain only when YAML 1.1 and 1.2 readers both see the same string', () => {
  for (const s of ['v1.4.2', 'abc1234', 'sha256:' + 'a'.repeat(64), 'registry.example.com/team/web:abc@sha256:' + 'a'.repeat(64)]) assert.ok(plainIsString(s, false), s);
  for (const s of ['1234567', '1234e56', '0x1F', 'on', 'yes', 'null', '~', '1.20', '190:20:30', '-', '#x', 'a #b', 'a: b', '', ' x']) assert.not.ok(plainIsString(s, false), s);
  assert.ok(plainIsString('a', true));
  assert.not.ok(plainIsString('a,b', true));
  assert.ok(plainIsString('a,b', false));
});

test('a file without a final line break: an added key and a removed last line keep it that way', async () => {
  const k = { kind: 'kustomize', file: 'k.yaml', name: 'registry.example.com/team/web', keepTag: true } as const;
  assert.is(await edited(k, 'images:\n- name: registry.example.com/team/web'), `images:\n- name: registry.example.com/team/web\n  newTag: abc1234\n  digest: ${DESIRED.digest}`);
  assert.is(await edited({ ...k, keepTag: false }, `images:\n- name: registry.example.com/team/web\n  digest: x\n  newTag: v1`), `images:\n- name: registry.example.com/team/web\n  digest: ${DESIRED.digest}`);
});

test('an empty value (`key:`) is filled in after the colon', async () => {
  assert.is(await edited({ kind: 'helm', file: 'v.yaml', paths: { repository: 'image.repository', digest: 'image.digest' } }, 'image:\n  repository: x\n  digest:\n  pullPolicy: Always\n'), `image:\n  repository: registry.example.com/team/web\n  digest: ${DESIRED.digest}\n  pullPolicy: Always\n`);
});

test.run();
