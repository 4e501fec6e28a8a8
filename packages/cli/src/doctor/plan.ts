import { expandWord, type Dockerfile } from '@pipeline/build';
import { parseReference } from '@pipeline/core';
import type { EngineEnvironment, HostConfig } from '@pipeline/deploy';
import type { PipelineConfig } from '../config/index.js';
import { repositoryFor } from '../pipeline/run.js';
import type { Settings } from '../settings/index.js';

/** A registry a first run talks to: pushed to (needs a login that may push) or pulled from. */
export interface RegistryTarget {
  registry: string;
  /** A repository to ask the token server about. */
  repository?: string;
  push: boolean;
  why: string[];
}

/** What `pipeline doctor` looks at, worked out from the settings, pipeline.yml and the Dockerfile. */
export interface DoctorPlan {
  registries: RegistryTarget[];
  /** Why the engine socket is needed, when it is. */
  engine?: string;
  hosts: { environment: EngineEnvironment; host: HostConfig }[];
  tls: { file: string; why: string; kind: 'ca' | 'cert' | 'key' }[];
}

export function planChecks(s: Settings, cfg: PipelineConfig | undefined, dockerfile: Dockerfile | undefined, env: NodeJS.ProcessEnv): DoctorPlan {
  const byRegistry = new Map<string, RegistryTarget>();
  const add = (ref: string, push: boolean, why: string) => {
    let r;
    try {
      r = parseReference(ref);
    } catch {
      return;
    }
    const t = byRegistry.get(r.registry) ?? byRegistry.set(r.registry, { registry: r.registry, push: false, why: [] }).get(r.registry)!;
    if (push && !t.push) t.repository = r.repository;
    t.repository ??= r.repository;
    t.push ||= push;
    t.why.push(why);
  };
  const plan: DoctorPlan = { registries: [], hosts: [], tls: [] };
  if (cfg) {
    const last = cfg.order[cfg.order.length - 1];
    if (s.registry && last) {
      const repo = repositoryFor({ url: s.registry, namespace: s.namespace }, last);
      add(`${repo.registry}/${repo.repository}`, s.push !== false, s.sources.registry === 'config' ? 'registry.url in pipeline.yml' : (s.sources.registry ?? 'registry'));
    }
    for (const img of Object.values(cfg.images)) {
      if (img.from?.kind === 'external') add(img.from.ref, false, `FROM of image ${img.name}`);
      if (img.executor === 'engine') plan.engine ??= `image ${img.name} uses executor: engine`;
    }
    for (const [name, t] of Object.entries(cfg.test)) if (t.commands.length || t.smoke) plan.engine ??= `the tests of image ${name} run containers`;
    for (const e of Object.values(cfg.environments)) {
      if (e.image) add(e.image, false, `environments.${e.name}.image (the hosts pull it)`);
      // The engines a deploy talks to: each host, or a Swarm's manager (a gitops environment talks to none).
      if (e.target === 'gitops') continue;
      for (const host of e.target === 'swarm' ? [e.manager] : e.hosts) {
        plan.hosts.push({ environment: e, host });
        for (const kind of ['ca', 'cert', 'key'] as const) if (host.tls?.[kind]) plan.tls.push({ file: host.tls[kind]!, why: `environments.${e.name} ${e.target === 'swarm' ? 'manager' : 'host'} ${host.url}`, kind });
      }
    }
  } else {
    if (s.image) add(s.image, s.push !== false, s.sources.image ?? 'image');
    for (const t of s.tags ?? []) if (t.includes('/')) add(t, s.push !== false, s.sources.tags ?? 'tags');
    for (const from of dockerfile ? externalFroms(dockerfile, s.buildArgs) : []) add(from, false, 'FROM in the Dockerfile');
    if (s.executor === 'engine') plan.engine = `executor engine (${s.sources.executor})`;
  }
  if (env.NODE_EXTRA_CA_CERTS) plan.tls.push({ file: env.NODE_EXTRA_CA_CERTS, why: 'NODE_EXTRA_CA_CERTS (registries over TLS)', kind: 'ca' });
  if (plan.engine && env.DOCKER_TLS_VERIFY && env.DOCKER_CERT_PATH) {
    for (const kind of ['ca', 'cert', 'key'] as const) plan.tls.push({ file: `${env.DOCKER_CERT_PATH}/${kind}.pem`, why: 'DOCKER_CERT_PATH (the engine over TLS)', kind });
  }
  plan.registries = [...byRegistry.values()];
  return plan;
}

/** The FROM images of a Dockerfile that are neither stages nor scratch, with the global ARGs' defaults and the build args. */
function externalFroms(df: Dockerfile, buildArgs: Record<string, string>): string[] {
  const global = new Map<string, string | undefined>();
  for (const g of df.globalArgs) for (const a of g.args) global.set(a.name, buildArgs[a.name] ?? (a.value ? expandWord(a.value, (n) => global.get(n), { file: df.file, escape: df.escape }) : undefined));
  const stages = new Set(df.stages.map((s) => s.name?.toLowerCase()).filter(Boolean));
  const out: string[] = [];
  for (const st of df.stages) {
    let text: string;
    try {
      text = expandWord(st.from.image, (n) => global.get(n), { file: df.file, escape: df.escape });
    } catch {
      continue;
    }
    if (text && text !== 'scratch' && !stages.has(text.toLowerCase()) && !/^\d+$/.test(text)) out.push(text);
  }
  return out;
}
