import { DeployError, parseReference, type Digest } from '@pipeline/core';
import type { SwarmEnvironment, SwarmServiceConfig } from '../../config/types.js';
import { LABEL } from '../../labels.js';
import type { Desired } from '../../model/target.js';
import type { SwarmApi } from './api.js';
import type { ServiceSpec } from './api-types.js';
import { SWARM_LABEL } from './labels.js';
import { secretName } from './names.js';
import { serviceSpec } from './service-spec.js';

/** Each service's image: the deployed repository takes `want`'s digest; every other image is pinned by digest in pipeline.yml. */
export function imageOf(env: SwarmEnvironment, cfg: SwarmServiceConfig, want: { image: string; digest: Digest }): { image: string; digest: Digest } {
  if (!cfg.image) return want;
  const r = parseReference(cfg.image);
  if (r.digest) return { image: `${r.registry}/${r.repository}`, digest: r.digest };
  if (`${r.registry}/${r.repository}` !== want.image) {
    throw new DeployError(`environments.${env.name}.services.${cfg.name}.image: Expected ${want.image} (the repository deployed) or a pinned repo@sha256:…, got ${cfg.image}`, { exitCode: 2 });
  }
  return want;
}

/**
 * Every service's spec for a deploy of `want`, in the configured order: its networks ensured (overlay,
 * attachable) and its secrets created under their content-addressed names. Mistakes that only the deploy's
 * image or values can show are exit 2 before anything is created.
 */
export async function desiredSpecs(api: SwarmApi, env: SwarmEnvironment, app: string, values: Record<string, string>, want: Desired): Promise<{ cfg: SwarmServiceConfig; spec: ServiceSpec }[]> {
  const images = env.services.map((cfg) => imageOf(env, cfg, want));
  for (const cfg of env.services) {
    const missing = Object.keys(cfg.secrets).find((k) => values[k] === undefined);
    if (missing) throw new DeployError(`environments.${env.name}.services.${cfg.name}.secrets.${missing}: no value was resolved`, { exitCode: 2 });
  }
  const owner = { [LABEL.app]: app, [LABEL.env]: env.name, [SWARM_LABEL.stack]: env.stack };
  const nets: Record<string, string> = {};
  for (const n of new Set(env.services.flatMap((s) => s.networks))) nets[n] = await api.ensureNetwork(n, owner);
  const out: { cfg: SwarmServiceConfig; spec: ServiceSpec }[] = [];
  for (const [k, cfg] of env.services.entries()) {
    const secrets: Record<string, { id: string; name: string }> = {};
    for (const key of Object.keys(cfg.secrets)) {
      const name = secretName(env.stack, key, values[key]);
      secrets[key] = { name, id: await api.ensureSecret(name, { ...owner, [SWARM_LABEL.secretKey]: key }, values[key]) };
    }
    const img = images[k];
    const isApp = img.digest === want.digest && img.image === want.image;
    out.push({ cfg, spec: serviceSpec({
      stack: env.stack, app, envName: env.name, svc: cfg, image: img.image, digest: img.digest,
      sha: isApp ? want.sha : undefined, deployId: want.deployId, previous: isApp ? want.previous?.digest : undefined,
      secrets, networks: nets, probe: env.probe, rollout: env.rollout,
    }) });
  }
  return out;
}
