/** Who a RUN step runs as: what the container runtime works out from USER and the image's /etc files. */
export interface RunUser {
  uid: number;
  gid: number;
  /** Supplementary groups: without an explicit group, every group of /etc/group listing the user by name. */
  groups: number[];
  /** HOME for the step when the environment has none. */
  home: string;
}

/** `USER` names something the image does not have: the step cannot start (Docker: "unable to find user"). */
export class RunUserError extends Error {}

/** What to do about a RunUserError (both executors say it). */
export const RUN_USER_HINT = 'USER must name a user (and group) of the image, from its /etc/passwd and /etc/group, or numeric ids';

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

const MAX_ID = 2 ** 31 - 1;
const numeric = (s: string) => (/^\d+$/.test(s) && Number(s) <= MAX_ID ? Number(s) : undefined);

function passwdEntries(text: string | undefined): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#')) continue;
    const uid = numeric(f[2]);
    const gid = numeric(f[3]);
    if (uid !== undefined && gid !== undefined) out.push({ name: f[0], uid, gid, home: f[5] ?? '' });
  }
  return out;
}

function groupEntries(text: string | undefined): { name: string; gid: number; members: string[] }[] {
  const out: { name: string; gid: number; members: string[] }[] = [];
  for (const line of (text ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#')) continue;
    const gid = numeric(f[2]);
    if (gid !== undefined) out.push({ name: f[0], gid, members: (f[3] ?? '').split(',').filter(Boolean) });
  }
  return out;
}

/**
 * USER `name|uid[:group|gid]` as runc resolves it (libcontainer/user GetExecUser), which `docker
 * build` uses: a number is always an id (a passwd entry with it gives group and home); a name must
 * be in /etc/passwd; without an explicit group the user's primary group applies and every group
 * listing the user by name is added; home defaults to `/`. An empty spec is root. (BuildKit's RUN has
 * exactly these groups; the classic builder's and the engine's containers list the primary group too.)
 */
export function resolveRunUser(spec: string, passwd: string | undefined, group: string | undefined): RunUser {
  const i = spec.indexOf(':');
  const userArg = i < 0 ? spec : spec.slice(0, i);
  const groupArg = i < 0 ? '' : spec.slice(i + 1);
  const user: RunUser = { uid: 0, gid: 0, groups: [], home: '/' };
  const uidArg = numeric(userArg);
  const users = passwdEntries(passwd);
  const match = userArg === '' ? users.find((u) => u.uid === 0) : uidArg !== undefined ? users.find((u) => u.uid === uidArg) : users.find((u) => u.name === userArg);
  if (match) Object.assign(user, { uid: match.uid, gid: match.gid, home: match.home || '/' });
  else if (userArg !== '') {
    if (uidArg === undefined) throw new RunUserError(`unable to find user ${userArg}: no matching entries in the image's /etc/passwd`);
    user.uid = uidArg;
  }
  if (groupArg === '' && !match) return user;
  const groups = groupEntries(group);
  if (groupArg !== '') {
    const gidArg = numeric(groupArg);
    const g = gidArg !== undefined ? groups.find((x) => x.gid === gidArg) : groups.find((x) => x.name === groupArg);
    if (g) user.gid = g.gid;
    else if (gidArg !== undefined) user.gid = gidArg;
    else throw new RunUserError(`unable to find group ${groupArg}: no matching entries in the image's /etc/group`);
  } else user.groups = groups.filter((g) => g.members.includes(match!.name)).map((g) => g.gid);
  return user;
}
