import type { RegistryClient } from './client.js';
import { pushScopes, uploadLocation } from './blobs.js';

/**
 * Proves the credentials may push to a repository without pushing anything: opens a blob upload
 * and cancels it (go-containerregistry's CheckPushPermission does the same). Throws the registry's
 * own error (401/403 → exit 2) before a run sends its first blob.
 */
export async function checkPushAccess(client: RegistryClient, repo: string): Promise<void> {
  const { res } = await client.text({ method: 'POST', path: `/v2/${repo}/blobs/uploads/`, scopes: pushScopes(repo), expect: [202], action: `check push access to ${repo}`, repository: repo });
  const location = uploadLocation(client, res);
  // Cancelling is a courtesy: a registry that refuses it expires the session on its own.
  await client.text({ method: 'DELETE', path: location, scopes: pushScopes(repo), expect: [204, 200, 202, 404], action: `cancel upload in ${repo}`, repository: repo, retry: false }).catch(() => {});
}
