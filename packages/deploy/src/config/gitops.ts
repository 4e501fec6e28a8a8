import { parseReference } from '@pipeline/core';
import type { Checker, Path } from './check.js';
import { duration, ENV_NAME, parseBase } from './common.js';
import { HELM_FIELDS, parseValuesPath, type GitopsEdit, type GitopsRepository, type HelmField, type VerifyConfig } from './gitops-types.js';
import type { GitopsEnvironment } from './types.js';
import { BAD_REF, isTreePath } from './repo-paths.js';

/** Keys a gitops environment takes: of the common ones only those that mean something for a commit (no probe, rollout, secrets…). */
export const GITOPS_KEYS = ['target', 'app', 'image', 'history', 'repository', 'edits', 'verify', 'push'] as const;
const EDIT_KINDS = ['kustomize', 'helm', 'manifest', 'flux'] as const;
const POLICY = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;
const WORKLOAD = /^(Deployment|StatefulSet|DaemonSet|ReplicaSet|ReplicationController|Job|CronJob|Pod)(\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?)?$/i;

/** A `target: gitops` environment of pipeline.yml, every key checked with its position. */
export function parseGitopsEnvironment(c: Checker, name: string, raw: unknown): GitopsEnvironment {
  const p: Path = [name];
  const o = c.object(raw, p, GITOPS_KEYS);
  let image: string | undefined;
  if (o.image !== undefined) {
    image = c.string(o.image, [...p, 'image']);
    let ref: ReturnType<typeof parseReference> | undefined;
    try {
      ref = parseReference(image);
    } catch (e) {
      c.fail([...p, 'image'], 'an image repository like registry.example.com/team/web', `${image} (${(e as Error).message})`);
    }
    if (ref?.digest || image.slice(image.lastIndexOf('/')).includes(':')) c.fail([...p, 'image'], 'an image repository without tag or digest (the deploy supplies both)', image);
  }
  const base = parseBase(c, name, o, p);
  const env: GitopsEnvironment = {
    ...base,
    target: 'gitops',
    // Nothing to lock: concurrent deploys are safe by construction (each lands on the tip it edited).
    lock: { wait: 0, stale: base.lock.stale },
    prune: { keep: base.prune.keep, auto: false },
    repository: parseRepository(c, o.repository, [...p, 'repository']),
    edits: [],
    push: { attempts: 30, maxDelay: 2000 },
  };
  const edits = c.array(o.edits, [...p, 'edits']);
  if (!edits.length) c.fail([...p, 'edits'], 'at least one edit (kustomize, helm, manifest or flux)', edits);
  env.edits = edits.map((e, i) => parseEdit(c, e, [...p, 'edits', i], image));
  if (o.verify !== undefined) env.verify = parseVerify(c, o.verify, [...p, 'verify']);
  if (o.push !== undefined) {
    const x = c.object(o.push, [...p, 'push'], ['attempts', 'maxDelay']);
    if (x.attempts !== undefined) env.push.attempts = c.int(x.attempts, [...p, 'push', 'attempts'], 1, 1000);
    if (x.maxDelay !== undefined) env.push.maxDelay = duration(c, x.maxDelay, [...p, 'push', 'maxDelay']);
  }
  return env;
}

function parseRepository(c: Checker, raw: unknown, p: Path): GitopsRepository {
  const o = typeof raw === 'string' ? { url: raw } : c.object(raw, p, ['url', 'branch', 'token', 'username']);
  const urlPath = typeof raw === 'string' ? p : [...p, 'url'];
  const url = c.string(o.url, urlPath);
  if (url.startsWith('-') || /\s/.test(url)) c.fail(urlPath, 'a repository URL (https://…, ssh://…, git@host:path) or a path', url);
  const branch = o.branch === undefined ? 'main' : c.string(o.branch, [...p, 'branch']);
  if (BAD_REF.test(branch)) c.fail([...p, 'branch'], 'a valid git branch name like main', branch);
  const repo: GitopsRepository = { url, branch, at: (key) => c.at(key === undefined ? p : [...p, ...key.split('.')]) };
  if (o.token !== undefined) {
    if (!/^https?:\/\//.test(url)) c.fail([...p, 'token'], 'a token only with an https:// URL (ssh uses your ssh keys)', url);
    const t = c.object(o.token, [...p, 'token'], ['env']);
    const v = c.string(t.env, [...p, 'token', 'env']);
    if (!ENV_NAME.test(v)) c.fail([...p, 'token', 'env'], 'the name of an environment variable holding the token', v);
    repo.tokenEnv = v;
  }
  if (o.username !== undefined) repo.username = c.string(o.username, [...p, 'username']);
  return repo;
}

function treePath(c: Checker, v: unknown, p: Path): string {
  const s = c.string(v, p).replace(/^\.\//, '');
  if (!isTreePath(s)) c.fail(p, 'a path relative to the root of the manifests repository, like overlays/production/kustomization.yaml', s);
  return s;
}

function parseEdit(c: Checker, raw: unknown, p: Path, image: string | undefined): GitopsEdit {
  const o = c.object(raw, p);
  const kinds = EDIT_KINDS.filter((k) => o[k] !== undefined);
  if (kinds.length !== 1) c.fail(p, `exactly one of ${EDIT_KINDS.join(', ')} naming the file to edit`, kinds.length ? kinds.join(' and ') : Object.keys(o).join(', ') || o);
  const kind = kinds[0];
  const at = (key?: string) => c.at(key === undefined ? p : key === 'file' ? [...p, kind] : [...p, ...key.split('.')]);
  const file = treePath(c, o[kind], [...p, kind]);
  const keys = (allowed: string[]) => c.object(raw, p, [kind, ...allowed]);
  switch (kind) {
    case 'kustomize': {
      const k = keys(['name', 'keepTag']);
      if (k.name === undefined && !image) c.fail([...p, 'name'], 'the images: entry name to edit (or image: on the environment, its default)', 'nothing');
      return { kind, file, at, name: k.name === undefined ? image! : c.string(k.name, [...p, 'name']), keepTag: k.keepTag === undefined ? true : c.bool(k.keepTag, [...p, 'keepTag']) };
    }
    case 'helm': {
      const h = keys(['paths']);
      const po = c.object(h.paths, [...p, 'paths'], HELM_FIELDS);
      const paths: Partial<Record<HelmField, string>> = {};
      for (const f of HELM_FIELDS) {
        if (po[f] === undefined) continue;
        const v = c.string(po[f], [...p, 'paths', f]);
        if (!parseValuesPath(v)) c.fail([...p, 'paths', f], 'a dotted values path like image.tag or containers[0].image', v);
        paths[f] = v;
      }
      if (!paths.image && !paths.tag && !paths.digest) c.fail([...p, 'paths'], 'image, tag or digest among the paths (the deploy pins a digest)', Object.keys(paths).join(', ') || po);
      if (paths.image && Object.keys(paths).length > 1) c.fail([...p, 'paths', 'image'], 'image alone (it holds the whole reference, repo:tag@digest)', Object.keys(paths).join(', '));
      return { kind, file, at, paths };
    }
    case 'manifest': {
      const m = keys(['container', 'workload']);
      const edit: GitopsEdit = { kind, file, at, container: c.string(m.container, [...p, 'container']) };
      if (m.workload !== undefined) {
        const w = c.string(m.workload, [...p, 'workload']);
        if (!WORKLOAD.test(w)) c.fail([...p, 'workload'], 'Kind or Kind/name of a workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod…)', w);
        edit.workload = w;
      }
      return edit;
    }
    case 'flux': {
      const f = keys(['policy']);
      const policy = c.string(f.policy, [...p, 'policy']);
      if (!POLICY.test(policy)) c.fail([...p, 'policy'], 'an image policy as NAMESPACE:NAME, like flux-system:web (its markers may add :tag, :name, :digest)', policy);
      return { kind, file, at, policy };
    }
  }
}

function parseVerify(c: Checker, raw: unknown, p: Path): VerifyConfig {
  const o = c.object(raw, p, ['http', 'command', 'timeout', 'interval']);
  const v: VerifyConfig = { timeout: o.timeout === undefined ? 5 * 60_000 : duration(c, o.timeout, [...p, 'timeout']), interval: o.interval === undefined ? 5000 : duration(c, o.interval, [...p, 'interval']) };
  if (o.http !== undefined) {
    const h = typeof o.http === 'string' ? { url: o.http } : c.object(o.http, [...p, 'http'], ['url', 'header', 'match']);
    const urlPath = typeof o.http === 'string' ? [...p, 'http'] : [...p, 'http', 'url'];
    const url = c.string(h.url, urlPath);
    if (!/^https?:\/\/[^/\s]+/.test(url)) c.fail(urlPath, 'an http:// or https:// URL', url);
    v.http = { url, match: h.match === undefined ? 'digest' : c.oneOf(h.match, [...p, 'http', 'match'], ['digest', 'sha'] as const) };
    if (h.header !== undefined) v.http.header = c.string(h.header, [...p, 'http', 'header']);
  }
  if (o.command !== undefined) {
    const cmd = c.array(o.command, [...p, 'command']);
    if (!cmd.length) c.fail([...p, 'command'], 'a command as a non-empty list of strings, like [kubectl, rollout, status, deployment/web]', cmd);
    v.command = cmd.map((x, i) => c.string(x, [...p, 'command', i]));
  }
  if (!v.http && !v.command) c.fail(p, 'http or command (or both)', raw);
  if (v.timeout < 1000) c.fail([...p, 'timeout'], 'a deadline of at least 1s', o.timeout);
  return v;
}
