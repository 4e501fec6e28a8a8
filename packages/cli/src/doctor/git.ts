import { resolveFacts, type SettingsInput } from '../settings/index.js';
import { check, why, type Check } from './check.js';

/** The commit a run tags and labels its images with: a checkout with a HEAD, clean in CI. */
export async function checkGit(input: SettingsInput, dir: string): Promise<Check> {
  let f;
  try {
    f = await resolveFacts(input, dir);
  } catch (e) {
    return check('git', dir, 'fail', why(e), { fix: 'give a commit SHA of 7 to 64 hex digits' });
  }
  const g = f.git;
  if (!g) return check('git', dir, 'fail', 'not a git checkout, and no commit SHA was given', { fix: 'run in a git checkout (git clone), or set PIPELINE_SHA / --sha' });
  const where = `${g.short}${g.branch ? ` on ${g.branch}` : ' (detached, no branch known)'}`;
  if (f.sources.sha !== 'git') return check('git', dir, 'warn', `no checkout here: commit ${where} from ${f.sources.sha}`, { fix: 'image labels lack the commit time; run in the checkout for reproducible digests', source: f.sources.sha });
  if (g.dirty) {
    const files = g.dirtyFiles.slice(0, 3).join(', ') + (g.dirtyFiles.length > 3 ? ', …' : '');
    return check('git', dir, f.ci ? 'fail' : 'warn', `checkout at ${where} has uncommitted changes (${files})`, { fix: f.ci ? 'in CI a dirty tree is refused: commit the changes or add the generated files to .gitignore' : 'tags will end in -dirty: commit first' });
  }
  return check('git', dir, 'ok', `checkout at ${where}, clean${g.tags.length ? `, tags ${g.tags.join(', ')}` : ''}`, { source: f.sources.sha });
}
