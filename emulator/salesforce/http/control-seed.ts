import { insertRecord } from "../dml.ts";
import { RecordFailure } from "../errors.ts";
import { userDefaults } from "../seed.ts";
import type { EmulatorState } from "../state.ts";
import { deserializeRecord, isPlainObject } from "../values.ts";
import { bad, ControlError } from "./control-error.ts";

/**
 * `POST /_emulator/seed`: records in order, later ones naming earlier ones as `"@{ref}"`, plus
 * generated users; the rules apply as to any insert, and one failure leaves nothing behind.
 */

type SeedRecord = {
  type: string;
  ref?: string;
  fields: Record<string, unknown>;
  profile?: string;
  role?: string;
};

/** Replaces `"@{ref}"` values with the ids of records created earlier in the same seed call. */
function resolveRefs(fields: Record<string, unknown>, refs: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    const m = typeof v === "string" ? /^@\{([^}]+)\}$/.exec(v) : null;
    if (m === null) out[k] = v;
    else {
      const id = refs.get(m[1] ?? "");
      if (id === undefined) throw bad(`Unknown reference ${String(v)}.`);
      out[k] = id;
    }
  }
  return out;
}

export function seedRecords(state: EmulatorState, body: Record<string, unknown>): Record<string, unknown> {
  const org = state.org;
  const list: SeedRecord[] = [];
  for (const raw of Array.isArray(body.records) ? body.records : []) {
    if (!isPlainObject(raw) || typeof raw.type !== "string") throw bad("Each record needs a type.");
    const entry: SeedRecord = { type: raw.type, fields: isPlainObject(raw.fields) ? raw.fields : {} };
    if (typeof raw.ref === "string") entry.ref = raw.ref;
    if (typeof raw.profile === "string") entry.profile = raw.profile;
    if (typeof raw.role === "string") entry.role = raw.role;
    list.push(entry);
  }
  const gen = isPlainObject(body.users) ? body.users : undefined;
  if (gen !== undefined) {
    const count = Number(gen.count ?? 0);
    const prefix = typeof gen.usernamePrefix === "string" ? gen.usernamePrefix : "user";
    const domain = typeof gen.domain === "string" ? gen.domain : "example.com";
    const start = Number(gen.start ?? 1);
    for (let n = start; n < start + count; n++) {
      const username = `${prefix}${n}@${domain}`;
      list.push({
        type: "User",
        profile: typeof gen.profile === "string" ? gen.profile : "Standard User",
        fields: {
          ...userDefaults(username, `User${n}`, prefix),
          Alias: `u${n}`.slice(0, 8),
          FederationIdentifier: username,
          IsActive: gen.active !== false,
        },
      });
    }
  }
  const ctx = { userId: org.adminUserId };
  const refs = new Map<string, string>();
  const created: { type: string; id: string; ref?: string }[] = [];
  const savepoint = org.store.savepoint();
  let index = 0;
  try {
    for (const item of list) {
      const type = org.schema.type(item.type);
      if (type === undefined) throw bad(`Unknown sObject type ${item.type}.`);
      const fields = resolveRefs(item.fields, refs);
      if (item.profile !== undefined) {
        const profile = org.findOne("Profile", "Name", item.profile.toLowerCase());
        if (profile === undefined) throw bad(`Unknown profile ${item.profile}.`);
        fields.ProfileId = profile.Id;
      }
      if (item.role !== undefined) {
        const role = org.findOne("UserRole", "DeveloperName", item.role.toLowerCase());
        if (role === undefined) throw bad(`Unknown role ${item.role}.`);
        fields.UserRoleId = role.Id;
      }
      const { values } = deserializeRecord(type, fields);
      const record = insertRecord(org, type, values, ctx);
      if (item.ref !== undefined) refs.set(item.ref, record.Id);
      created.push({ type: type.name, id: record.Id, ...(item.ref === undefined ? {} : { ref: item.ref }) });
      index++;
    }
  } catch (err) {
    savepoint.rollback();
    const where = `Record ${index} (${list[index]?.type ?? "?"})`;
    if (err instanceof RecordFailure) {
      throw bad(`${where} failed: ${err.errors.map((e) => `${e.statusCode}: ${e.message}`).join("; ")}`);
    }
    if (err instanceof ControlError) throw bad(`${where}: ${err.message}`);
    if (err instanceof Error) throw bad(`${where} failed: ${err.message}`);
    throw err;
  }
  savepoint.release();
  return { created: created.length > 1000 ? created.length : created };
}
