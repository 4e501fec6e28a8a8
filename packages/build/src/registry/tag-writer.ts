import { RegistryError, isRegistryError, withTag, type Digest, type Reference } from '@pipeline/core';
import type { RegistryClient } from './client.js';
import { getManifest, putManifest, resolve } from './manifests.js';
import { deleteTag } from './tags.js';

export interface ManifestBytes {
  bytes: Buffer;
  digest: Digest;
  mediaType: string;
}

/** What a tag pointed at before this push (undefined: it did not exist). */
export type TagsBefore = ReadonlyMap<string, Digest | undefined>;

/** What each tag points at, as far as the registry says now. */
async function readBack(client: RegistryClient, ref: Reference, tags: string[]): Promise<string[]> {
  return Promise.all(
    tags.map(async (t) => {
      const d = await resolve(client, withTag(ref, t)).then((x) => x?.digest, () => 'unknown (the registry did not answer)');
      return `${t} → ${d ?? 'absent'}`;
    }),
  );
}

/**
 * Points tags at a manifest already stored by digest, all or nothing as far as a registry allows:
 * new tags first, then the tags that move (so a failure leaves the least visible change), each PUT
 * retried by the client. When one still fails, the tags written before it are put back (a moved tag
 * to its old manifest; a new tag deleted where the registry can), and the error says exactly what
 * each tag points at afterwards.
 */
export async function writeTags(client: RegistryClient, ref: Reference, manifest: ManifestBytes, tags: readonly string[], before: TagsBefore): Promise<string[]> {
  const todo = tags.filter((t) => before.get(t) !== manifest.digest);
  const ordered = [...todo.filter((t) => before.get(t) === undefined), ...todo.filter((t) => before.get(t) !== undefined)];
  const written: string[] = [];
  for (const tag of ordered) {
    try {
      await putManifest(client, withTag(ref, tag), manifest.bytes, manifest.mediaType);
      written.push(tag);
    } catch (e) {
      const undo = await undoTags(client, ref, written, before);
      const now = await readBack(client, ref, ordered);
      const msg = isRegistryError(e) ? e.message.replace(`${client.registry}: `, '') : (e as Error).message;
      throw new RegistryError(client.registry, `writing tag ${ref.repository}:${tag} failed (${msg}); ${undo}; tags now: ${now.join(', ')}`, {
        status: isRegistryError(e) ? e.status : undefined,
        code: isRegistryError(e) ? e.code : undefined,
        exitCode: 1,
        cause: e,
        hint: 'run the push again: the blobs and the manifest are in place, only the tags are written',
      });
    }
  }
  return ordered;
}

/** Puts back what the written tags pointed at; says what could not be undone. */
async function undoTags(client: RegistryClient, ref: Reference, written: string[], before: TagsBefore): Promise<string> {
  if (!written.length) return 'no tag was written';
  const kept: string[] = [];
  for (const tag of written.reverse()) {
    const old = before.get(tag);
    try {
      if (old) {
        const m = await getManifest(client, { registry: ref.registry, repository: ref.repository, digest: old });
        await putManifest(client, withTag(ref, tag), m.bytes, m.mediaType);
      } else await deleteTag(client, ref.repository, tag);
    } catch {
      kept.push(tag);
    }
  }
  if (!kept.length) return `the ${written.length} tag(s) written before it were put back`;
  return `could not undo ${kept.join(', ')} (${kept.some((t) => !before.get(t)) ? 'the registry deletes tags only by deleting the manifest' : 'the registry refused'})`;
}
