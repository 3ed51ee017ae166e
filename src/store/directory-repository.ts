import { createHash } from "node:crypto";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { DirectoryChange, DirectoryGroup, DirectoryRepository, DirectoryUser } from "../domain/ports.ts";
import { AppError } from "../lib/errors.ts";
import type { Database } from "./schema.ts";

/**
 * The built-in directory over Kysely. uid and cn are case-insensitive (LDAP's caseIgnoreMatch):
 * look-ups go through the lower-cased key columns, and the stored spelling is what callers get back.
 */

type Db = Kysely<Database>;

const key = (text: string): string => text.toLowerCase();

const valueHash = (value: string): string => createHash("sha256").update(key(value), "utf8").digest("hex");

/** Code-point order on the lower-cased text, then on the text: the same on both dialects. */
const byKey = (a: string, b: string): number => {
  const ka = key(a);
  const kb = key(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
};

const isUniqueViolation = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
};

/** Several statements as one: inside the caller's transaction when there is one, else in our own. */
const atomically = async <T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> => {
  try {
    return db.isTransaction
      ? await work(db)
      : await db.transaction().execute((trx: Transaction<Database>) => work(trx));
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("STORE_CONFLICT", {
        message: "A record with that key already exists.",
        cause: error,
      });
    }
    throw error;
  }
};

const toUser = (row: Selectable<Database["directory_users"]>): DirectoryUser => ({
  uid: row.uid,
  enabled: Number(row.enabled) === 1,
  attributes: JSON.parse(row.attributes) as Record<string, string[]>,
  passwordHash: row.password_hash,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const userColumns = (user: DirectoryUser) => ({
  enabled: user.enabled ? 1 : 0,
  password_hash: user.passwordHash,
  attributes: JSON.stringify(user.attributes),
  updated_at: user.updatedAt,
});

/** One index row per distinct (lower-cased name, lower-cased value). */
const attributeRows = (user: DirectoryUser) => {
  const rows = new Map<string, { uid: string; name: string; value_hash: string }>();
  for (const [name, values] of Object.entries(user.attributes)) {
    for (const value of values) {
      const row = { uid: user.uid, name: key(name), value_hash: valueHash(value) };
      rows.set(`${row.name}\u0000${row.value_hash}`, row);
    }
  }
  return [...rows.values()];
};

const writeAttributeIndex = async (db: Db, user: DirectoryUser): Promise<void> => {
  await db.deleteFrom("directory_user_attributes").where("uid", "=", user.uid).execute();
  const rows = attributeRows(user);
  // Bounded batches: SQLite allows at most 32,766 bound parameters a statement.
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto("directory_user_attributes")
      .values(rows.slice(i, i + 500))
      .execute();
  }
};

const writeMembers = async (db: Db, cn: string, members: readonly string[]): Promise<void> => {
  await db.deleteFrom("directory_group_members").where("cn", "=", cn).execute();
  const rows = [...new Set(members)].map((uid) => ({ cn, uid }));
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto("directory_group_members")
      .values(rows.slice(i, i + 500))
      .execute();
  }
};

const storedUid = async (db: Db, uid: string): Promise<string | undefined> =>
  (await db.selectFrom("directory_users").select("uid").where("uid_key", "=", key(uid)).executeTakeFirst())
    ?.uid;

const storedCn = async (db: Db, cn: string): Promise<string | undefined> =>
  (await db.selectFrom("directory_groups").select("cn").where("cn_key", "=", key(cn)).executeTakeFirst())?.cn;

const toGroup = (row: Selectable<Database["directory_groups"]>, members: string[]): DirectoryGroup => ({
  cn: row.cn,
  description: row.description,
  members: members.sort(byKey),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toOperation = (text: string): DirectoryChange["operation"] =>
  text === "create" ? "create" : text === "delete" ? "delete" : "update";

/** The advisory-lock key that orders change-log writers on PostgreSQL ("PDCL" in ASCII). */
const changeLogLock = 0x5044434c;

export const createDirectoryRepository = (db: Db, dialect: "sqlite" | "postgres"): DirectoryRepository => ({
  getUser: async (uid) => {
    const row = await db
      .selectFrom("directory_users")
      .selectAll()
      .where("uid_key", "=", key(uid))
      .executeTakeFirst();
    return row && toUser(row);
  },

  listUsers: async ({ limit, afterUid }) => {
    let query = db.selectFrom("directory_users").selectAll().orderBy("uid_key").limit(limit);
    if (afterUid !== undefined) query = query.where("uid_key", ">", key(afterUid));
    return (await query.execute()).map(toUser);
  },

  findUsersByAttribute: async (name, value) => {
    const rows = await db
      .selectFrom("directory_users")
      .selectAll("directory_users")
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom("directory_user_attributes")
            .select("directory_user_attributes.uid")
            .whereRef("directory_user_attributes.uid", "=", "directory_users.uid")
            .where("directory_user_attributes.name", "=", key(name))
            .where("directory_user_attributes.value_hash", "=", valueHash(value)),
        ),
      )
      .orderBy("uid_key")
      .execute();
    // The index holds hashes: confirm on the values themselves.
    const wanted = key(value);
    return rows
      .map(toUser)
      .filter((user) =>
        Object.entries(user.attributes).some(
          ([n, values]) => key(n) === key(name) && values.some((v) => key(v) === wanted),
        ),
      );
  },

  createUser: (user) =>
    atomically(db, async (trx) => {
      await trx
        .insertInto("directory_users")
        .values({ uid: user.uid, uid_key: key(user.uid), created_at: user.createdAt, ...userColumns(user) })
        .execute();
      await writeAttributeIndex(trx, user);
    }),

  updateUser: (user) =>
    atomically(db, async (trx) => {
      const uid = await storedUid(trx, user.uid);
      if (uid === undefined) return false;
      await trx.updateTable("directory_users").set(userColumns(user)).where("uid", "=", uid).execute();
      await writeAttributeIndex(trx, { ...user, uid });
      return true;
    }),

  deleteUser: (uid) =>
    atomically(db, async (trx) => {
      const stored = await storedUid(trx, uid);
      if (stored === undefined) return false;
      // The foreign keys cascade too; deleting explicitly keeps it true wherever they are off.
      await trx.deleteFrom("directory_group_members").where("uid", "=", stored).execute();
      await trx.deleteFrom("directory_user_attributes").where("uid", "=", stored).execute();
      await trx.deleteFrom("directory_users").where("uid", "=", stored).execute();
      return true;
    }),

  getGroup: async (cn) => {
    const row = await db
      .selectFrom("directory_groups")
      .selectAll()
      .where("cn_key", "=", key(cn))
      .executeTakeFirst();
    if (!row) return undefined;
    const members = await db
      .selectFrom("directory_group_members")
      .select("uid")
      .where("cn", "=", row.cn)
      .execute();
    return toGroup(
      row,
      members.map((m) => m.uid),
    );
  },

  listGroups: async () => {
    const rows = await db.selectFrom("directory_groups").selectAll().orderBy("cn_key").execute();
    const members = new Map<string, string[]>();
    for (const m of await db.selectFrom("directory_group_members").select(["cn", "uid"]).execute()) {
      members.set(m.cn, [...(members.get(m.cn) ?? []), m.uid]);
    }
    return rows.map((row) => toGroup(row, members.get(row.cn) ?? []));
  },

  groupsOf: async (uid) => {
    const rows = await db
      .selectFrom("directory_group_members")
      .innerJoin("directory_users", "directory_users.uid", "directory_group_members.uid")
      .select("directory_group_members.cn")
      .where("directory_users.uid_key", "=", key(uid))
      .execute();
    return rows.map((r) => r.cn).sort(byKey);
  },

  createGroup: (group) =>
    atomically(db, async (trx) => {
      await trx
        .insertInto("directory_groups")
        .values({
          cn: group.cn,
          cn_key: key(group.cn),
          description: group.description,
          created_at: group.createdAt,
          updated_at: group.updatedAt,
        })
        .execute();
      await writeMembers(trx, group.cn, group.members);
    }),

  updateGroup: (group) =>
    atomically(db, async (trx) => {
      const cn = await storedCn(trx, group.cn);
      if (cn === undefined) return false;
      await trx
        .updateTable("directory_groups")
        .set({ description: group.description, updated_at: group.updatedAt })
        .where("cn", "=", cn)
        .execute();
      await writeMembers(trx, cn, group.members);
      return true;
    }),

  deleteGroup: (cn) =>
    atomically(db, async (trx) => {
      const stored = await storedCn(trx, cn);
      if (stored === undefined) return false;
      await trx.deleteFrom("directory_group_members").where("cn", "=", stored).execute();
      await trx.deleteFrom("directory_groups").where("cn", "=", stored).execute();
      return true;
    }),

  appendChange: async (change) => {
    const values = {
      at: change.at,
      entity: change.entity,
      entity_id: change.id,
      operation: change.operation,
    };
    if (dialect === "sqlite") {
      // One writer at a time: sequence numbers are taken in commit order already.
      await db.insertInto("directory_changes").values(values).execute();
      return;
    }
    // PostgreSQL hands out sequence numbers when rows are inserted, not when they commit, so a
    // reader could see seq 6 committed while seq 5 is still in flight, move its watermark past
    // 5 and never see it. Taking a transaction-scoped advisory lock before the number is drawn
    // makes every later writer wait for this transaction to end: seq order is commit order, and
    // a watermark reader never skips a change. The lock and the insert are one statement, so it
    // holds outside an explicit transaction too.
    await sql`WITH fence AS (SELECT pg_advisory_xact_lock(${changeLogLock}))
      INSERT INTO directory_changes (at, entity, entity_id, operation)
      SELECT ${values.at}, ${values.entity}, ${values.entity_id}, ${values.operation} FROM fence`.execute(db);
  },

  lastChangeSeq: async () => {
    const row = await db
      .selectFrom("directory_changes")
      .select((eb) => eb.fn.max("seq").as("seq"))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  },

  listChanges: async ({ afterSeq, limit }) =>
    (
      await db
        .selectFrom("directory_changes")
        .selectAll()
        .where("seq", ">", afterSeq)
        .orderBy("seq")
        .limit(limit)
        .execute()
    ).map(
      (row): DirectoryChange => ({
        seq: Number(row.seq),
        at: row.at,
        entity: row.entity === "group" ? "group" : "user",
        id: row.entity_id,
        operation: toOperation(row.operation),
      }),
    ),
});
