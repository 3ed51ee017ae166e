import assert from "node:assert/strict";
import { deleteUser, disableUser, enableUser, updateUser } from "../../src/services/directory/users.ts";
import { duplicated, orgUsers } from "./provisioning-faults.ts";
import type { SalesforceEmulator } from "./salesforce.ts";
import { openServiceContext, testActor } from "./service-context.ts";

/**
 * A seeded stream of directory changes for the kill tests — new users, new names, leavers and
 * returners — with what the directory then says each user should be in Salesforce, and the
 * check that the org ends up so: exactly one user per directory user, with its values.
 */
export const directoryChurn = (databaseUrl: string, seed: number) => {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  /** uid → LastName, active. A deleted user keeps the last name Salesforce had (or was never created). */
  const expected = new Map<string, { sn: string; active: boolean; deleted?: boolean }>();
  const disabled: string[] = [];

  const importRows = async (
    context: Awaited<ReturnType<typeof openServiceContext>>["context"],
    rows: string[],
  ) => {
    const { importCsv } = await import("../../src/services/directory/import.ts");
    const result = await importCsv(context, testActor, ["uid,mail,givenName,sn,groups", ...rows].join("\n"));
    assert.equal(result.imported, rows.length);
  };

  /** `count` users `<prefix>1…`, as addStaff makes them. */
  const seedStaff = (prefix: string, count: number) => {
    for (let i = 1; i <= count; i++) expected.set(`${prefix}${i}`, { sn: `Number${i}`, active: true });
  };

  const change = async (round: number) => {
    const { context, dispose } = await openServiceContext({ databaseUrl });
    try {
      const fresh = Array.from({ length: 8 }, (_, i) => `n${round}x${i + 1}`);
      await importRows(
        context,
        fresh.map((uid) => `${uid},${uid}@acme.example.com,n,Fresh${round},salesforce-users`),
      );
      for (const uid of fresh) expected.set(uid, { sn: `Fresh${round}`, active: true });
      const known = [...expected.keys()].filter((uid) => expected.get(uid)?.active);
      for (let i = 0; i < 12; i++) {
        const uid = pick(known);
        const sn = `Renamed${round}x${i}`;
        await updateUser(context, testActor, uid, { attributes: { sn } });
        expected.set(uid, { sn, active: true });
      }
      const leaver = pick(known);
      if (round % 4 === 0) {
        await deleteUser(context, testActor, leaver);
        expected.set(leaver, { sn: "", active: false, deleted: true });
      } else {
        await disableUser(context, testActor, leaver);
        expected.set(leaver, { sn: expected.get(leaver)?.sn ?? "", active: false });
        disabled.push(leaver);
      }
      const returner = round % 3 === 0 ? disabled.shift() : undefined;
      if (returner !== undefined) {
        await enableUser(context, testActor, returner);
        expected.set(returner, { sn: expected.get(returner)?.sn ?? "", active: true });
      }
    } finally {
      await dispose();
    }
  };

  /** The org against the directory: no duplicate, nobody missing, the directory's values. */
  const assertOrgMatches = async (sf: SalesforceEmulator) => {
    const users = await orgUsers(sf);
    assert.deepEqual(duplicated(users, "Username"), [], `no Username twice (seed ${seed})`);
    assert.deepEqual(duplicated(users, "FederationIdentifier"), [], `no Federation ID twice (seed ${seed})`);
    const byUsername = new Map(users.map((u) => [u.Username, u]));
    const wrong: string[] = [];
    for (const [uid, want] of expected) {
      const user = byUsername.get(`${uid}@acme.example.com`);
      if (want.deleted) {
        if (user?.IsActive) wrong.push(`${uid}: deleted, yet active`);
        continue;
      }
      if (!user) wrong.push(`${uid}: missing`);
      else if (user.IsActive !== want.active) wrong.push(`${uid}: IsActive ${user.IsActive}`);
      else if (user.LastName !== want.sn) wrong.push(`${uid}: LastName ${user.LastName}, not ${want.sn}`);
      else if (user.FederationIdentifier !== `${uid}@acme.example.com`) wrong.push(`${uid}: Federation ID`);
    }
    assert.deepEqual(wrong, [], `every directory user, with the directory's values (seed ${seed})`);
    const unknown = users.filter((u) => !expected.has(u.Username.replace(/@acme\.example\.com$/, "")));
    assert.deepEqual(unknown, [], "no Salesforce user the directory does not account for");
  };

  return { random, seedStaff, change, assertOrgMatches };
};
