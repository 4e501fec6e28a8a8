// The licenses of the packages a bundle carries (from esbuild's metafile inputs), in one text file,
// as the licenses of a published binary must travel with it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `node_modules/@scope/name/lib/x.js` → `node_modules/@scope/name` (the innermost package). */
function packageDir(input) {
  const parts = input.split('/');
  const i = parts.lastIndexOf('node_modules');
  if (i < 0) return undefined;
  const n = parts[i + 1]?.startsWith('@') ? 3 : 2;
  return parts.slice(0, i + n).join('/');
}

export function licenseText(root, inputs) {
  const dirs = [...new Set(inputs.map(packageDir).filter(Boolean))];
  const entries = [];
  for (const dir of dirs) {
    const pkgFile = join(root, dir, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    const file = readdirSync(join(root, dir)).sort().find((f) => /^(licen[cs]e|copying)(\..*)?$/i.test(f));
    const text = file ? readFileSync(join(root, dir, file), 'utf8').trim() : `(no license file in the package; package.json says ${pkg.license ?? 'nothing'})`;
    const license = typeof pkg.license === 'string' ? pkg.license : pkg.license?.type ?? 'UNKNOWN';
    entries.push({ key: `${pkg.name}@${pkg.version}`, body: `${pkg.name}@${pkg.version}\nLicense: ${license}\n\n${text}\n` });
  }
  // Several copies of one package (nested node_modules) are listed once per version.
  const unique = [...new Map(entries.map((e) => [e.key, e])).values()].sort((a, b) => a.key.localeCompare(b.key));
  return `Third-party software bundled in this file, with its licenses (${unique.length} packages).\n\n` + unique.map((e) => e.body).join('\n----------------------------------------\n\n');
}
