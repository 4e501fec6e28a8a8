import { shortDigest } from '@pipeline/core';
import { diff, resolveSecrets, type DeployDiff } from '@pipeline/deploy';
import type { Command } from '../command.js';
import { str } from '../flags.js';
import { ENV_FLAGS, ENV_HELP, imageFor, openEnvironment, targetFor } from './deploy-env.js';

export function formatDiff(d: DeployDiff): string {
  if (!d.changed) return d.patches ? 'no change: the manifests already point at this version' : 'no change: every host already runs this version with this configuration';
  const lines = d.image.map((x) => `image   ${x.host}: ${x.from.length ? x.from.map((f) => shortDigest(f)).join(', ') : '(nothing)'} → ${shortDigest(x.to)}${x.from.length === 1 && x.from[0] === x.to ? ' (same)' : ''}`);
  for (const [k, v] of [['added', d.env.added], ['removed', d.env.removed], ['changed', d.env.changed]] as const) if (v.length) lines.push(`env     ${k}: ${v.join(', ')}`);
  for (const r of d.replicas) if (r.from !== r.to) lines.push(`replicas ${r.host}: ${r.from} → ${r.to}`);
  if (d.ports.from.join() !== d.ports.to.join()) lines.push(`ports   ${d.ports.from.join(', ') || '(none)'} → ${d.ports.to.join(', ') || '(none)'}`);
  for (const s of d.settings ?? []) if (s.changed.length) lines.push(`settings ${s.host}: ${s.changed.join(', ')}`);
  for (const p of d.patches ?? []) lines.push(p.diff.trimEnd());
  return lines.join('\n');
}

const command: Command = {
  name: 'diff',
  summary: 'What a deploy would change: image digests, env keys (no values), replicas, ports',
  usage: 'pipeline diff ENVIRONMENT [--image REPO@sha256:…] [--json]',
  options: { image: { type: 'string', short: 'i' }, ...ENV_FLAGS },
  help: ['-i, --image REF@DIGEST     compare with this image (default: the digest the last pipeline build --push recorded)', ...ENV_HELP],
  async run(ctx) {
    const s = await openEnvironment(ctx);
    const { image, digest, sha } = await imageFor(s, str(ctx.values.image), ctx.env);
    // With the secret values at hand a changed value shows (as a new content-addressed Swarm secret); without, keys only.
    let secrets: Record<string, string> = {};
    try {
      secrets = resolveSecrets(s.env, { vars: ctx.env, cwd: s.cfg.dir });
    } catch {
      // not set here (a laptop): diff without values
    }
    const target = await targetFor(s, secrets, ctx.env);
    try {
      const d = await diff(target, s.env, digest, sha);
      ctx.result({ environment: s.env.name, reference: image, ...d }, formatDiff(d));
      return 0;
    } finally {
      await target.close();
    }
  },
};
export default command;
