import * as core from '@actions/core';
import { mask, shortDigest } from '@pipeline/core';
import type { ActionReport, ImageReport } from './report.js';

const esc = (s: string) => mask(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const code = (s: string) => `<code>${esc(s)}</code>`;
const bytes = (n: number | undefined) => (n === undefined ? '–' : n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`);
const secs = (ms: number | undefined) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);
const digest = (d: string | undefined) => (d ? code(shortDigest(d as `sha256:${string}`)) : '–');

function imageRow(i: ImageReport): string[] {
  const tags = i.tags.length ? i.tags.map(code).join('<br>') : i.action === 'reused' ? 'up to date' : '(not pushed)';
  return [esc(i.name), digest(i.digest), tags, bytes(i.size), i.action === 'reused' ? 'reused' : `${bytes(i.newBytes)} / ${bytes(i.reusedBytes)}`, secs(i.durationMs)];
}

function headline(r: ActionReport): string {
  if (r.error && !r.deploy) return `❌ pipeline failed: ${esc(r.error.message.split('\n')[0])}`;
  const built = r.images.filter((i) => i.action === 'built').length;
  const pushed = r.images.some((i) => i.pushed);
  const d = r.deploy;
  const deploy = d ? (d.result === 'deployed' || d.result === 'unchanged' ? `, deployed to ${esc(d.environment)}` : `, deploy to ${esc(d.environment)} ${d.result === 'rolled-back' ? 'rolled back' : 'FAILED'}`) : '';
  const ok = !r.error && (!d || d.result === 'deployed' || d.result === 'unchanged');
  return `${ok ? '✅' : '❌'} pipeline: ${built} image(s) built${pushed ? ' and pushed' : ''}${deploy}`;
}

/** The job summary: images, tests, the deploy (and on rollback: where and why), the commit. */
export async function writeSummary(r: ActionReport): Promise<void> {
  const s = core.summary.addHeading(headline(r), 3);
  if (r.images.length) {
    s.addTable([
      [{ data: 'Image', header: true }, { data: 'Digest', header: true }, { data: 'Tags', header: true }, { data: 'Size', header: true }, { data: 'New / reused', header: true }, { data: 'Time', header: true }],
      ...r.images.map(imageRow),
    ]);
  }
  const tests = r.images.flatMap((i) => i.tests.map((t) => [esc(i.name), esc(t.name), t.ok ? '✅ passed' : `❌ failed${t.detail ? `: ${esc(t.detail)}` : ''}`]));
  if (tests.length) s.addHeading('Tests', 4).addTable([[{ data: 'Image', header: true }, { data: 'Test', header: true }, { data: 'Result', header: true }], ...tests]);
  const d = r.deploy;
  if (d) {
    const hosts = new Set(d.instances.map((i) => i.host));
    s.addHeading(`Deploy to ${esc(d.environment)}`, 4).addTable([
      [{ data: 'Environment', header: true }, { data: 'From → to', header: true }, { data: 'Hosts / replicas', header: true }, { data: 'Duration', header: true }, { data: 'Result', header: true }],
      [esc(d.environment), `${digest(d.previous)} → ${digest(d.digest)}${d.sha ? ` (${code(d.sha.slice(0, 12))})` : ''}`, `${hosts.size} / ${d.instances.length}`, secs(d.durationMs), esc(d.result)],
    ]);
    if (d.failure) {
      const f = d.failure;
      s.addRaw(`<p><b>Failing host</b> ${code(f.host)} (container ${code(f.container)})<br><b>Probe</b> ${code(f.probe)}: ${esc(f.output)}</p>`, true);
      if (f.logs) s.addDetails('Last log lines', `<pre><code>${esc(f.logs.split('\n').slice(-20).join('\n'))}</code></pre>`);
      if (d.rollback) s.addRaw(`<p>${d.rollback.ok ? `Rolled every host back to ${digest(d.rollback.to)} (${d.rollback.instances} healthy) in ${secs(d.rollback.ms)}` : `Rollback FAILED: ${esc(d.rollback.error ?? '')}`}</p>`, true);
    }
  }
  if (r.error) s.addRaw(`<pre><code>${esc(r.error.message)}</code></pre>`, true);
  const g = r.facts?.git;
  if (g) s.addRaw(`<p>Commit ${code(g.sha.slice(0, 12))}${g.branch ? ` on ${code(g.branch)}` : ''} · by ${esc(r.facts!.actor)} · ${secs(r.durationMs)}</p>`, true);
  await s.write();
}
