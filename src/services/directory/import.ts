import { hashPassword } from "../../crypto/password.ts";
import type { DirectoryGroup, DirectoryUser } from "../../domain/ports.ts";
import { snippet } from "../../xml/chars.ts";
import type { Actor, ServiceContext } from "../context.ts";
import { parseCsv } from "./csv.ts";
import { appendChanges, directoryAudit as audit, type Change, groupUpdated } from "./records.ts";
import {
  attributeName,
  attributeValues,
  checkCn,
  checkPassword,
  checkUid,
  fail,
  limits,
  type Problems,
} from "./validation.ts";

export type ImportResult = { imported: number; users: string[]; groupsCreated: string[] };

type ImportRow = {
  line: number;
  uid: string;
  password: string | undefined;
  enabled: boolean;
  groups: string[];
  attributes: Record<string, string[]>;
};

const csvColumns = ["uid", "password", "enabled", "groups"] as const;
type CsvColumn = (typeof csvColumns)[number];

/** Reads the header: which column is uid, password, enabled, groups, and which attribute each other one is. */
const readHeader = (line: number, fields: readonly string[], problems: Problems) => {
  const columns: ({ kind: CsvColumn } | { kind: "attribute"; name: string } | undefined)[] = [];
  const seen = new Set<string>();
  fields.forEach((raw, i) => {
    const name = raw.trim();
    const field = `line ${line}, column ${i + 1} (${snippet(name) || "empty"})`;
    const lower = name.toLowerCase();
    if (seen.has(lower)) {
      problems.push({ field, message: "the column is named twice" });
      columns.push(undefined);
      return;
    }
    seen.add(lower);
    const column = csvColumns.find((c) => c === lower);
    if (column) {
      columns.push({ kind: column });
      return;
    }
    const attribute = attributeName(name, field, problems);
    columns.push(attribute === undefined ? undefined : { kind: "attribute", name: attribute });
  });
  if (!seen.has("uid"))
    problems.push({ field: `line ${line}`, message: "the header must have a uid column" });
  return columns;
};

const splitList = (cell: string): string[] =>
  cell
    .split(";")
    .map((v) => v.trim())
    .filter((v) => v !== "");

/** Reads and checks the whole file; every problem names its line and column. */
const readCsv = (text: string): ImportRow[] => {
  const parsed = parseCsv(text);
  if (!parsed.ok) return fail("DIR_CSV_INVALID", [{ field: `line ${parsed.line}`, message: parsed.message }]);
  const [header, ...records] = parsed.records;
  if (!header)
    return fail("DIR_CSV_INVALID", [
      { field: "line 1", message: "the file is empty; it needs a header row" },
    ]);
  if (records.length > limits.importRows) {
    return fail("DIR_CSV_INVALID", [
      { field: "file", message: `at most ${limits.importRows} users an import` },
    ]);
  }
  const problems: Problems = [];
  const columns = readHeader(header.line, header.fields, problems);
  if (problems.length > 0) return fail("DIR_CSV_INVALID", problems);
  const names = header.fields.map((f) => f.trim());
  const rows: ImportRow[] = [];
  const lines = new Map<string, number>();
  for (const record of records) {
    const at = (i: number) => `line ${record.line}, column ${names[i] ?? i + 1}`;
    if (record.fields.length !== columns.length) {
      problems.push({
        field: `line ${record.line}`,
        message: `has ${record.fields.length} fields; the header has ${columns.length}`,
      });
      continue;
    }
    const row: ImportRow = {
      line: record.line,
      uid: "",
      password: undefined,
      enabled: true,
      groups: [],
      attributes: {},
    };
    record.fields.forEach((raw, i) => {
      const column = columns[i];
      const cell = column?.kind === "password" ? raw : raw.trim();
      if (!column) return;
      switch (column.kind) {
        case "uid":
          row.uid = cell;
          checkUid(cell, at(i), problems);
          return;
        case "password":
          if (cell !== "") row.password = cell;
          return;
        case "enabled":
          if (cell === "" || /^true$/i.test(cell)) row.enabled = true;
          else if (/^false$/i.test(cell)) row.enabled = false;
          else problems.push({ field: at(i), message: "must be true or false" });
          return;
        case "groups":
          row.groups = [...new Set(splitList(cell))];
          for (const cn of row.groups) checkCn(cn, at(i), problems);
          return;
        case "attribute": {
          const given = splitList(cell);
          // One value is named by its column alone; several as `column mail[1]`.
          const values = attributeValues(
            column.name,
            given.length === 1 ? (given[0] ?? "") : given,
            at(i),
            problems,
          );
          if (values.length > 0) row.attributes[column.name] = values;
        }
      }
    });
    if (row.password !== undefined) {
      const i = columns.findIndex((c) => c?.kind === "password");
      checkPassword(row.password, row.uid, problems, at(i));
    }
    const earlier = lines.get(row.uid.toLowerCase());
    if (row.uid !== "" && earlier !== undefined) {
      problems.push({
        field: at(columns.findIndex((c) => c?.kind === "uid")),
        message: `uid "${snippet(row.uid)}" is also on line ${earlier}`,
      });
    }
    lines.set(row.uid.toLowerCase(), record.line);
    rows.push(row);
  }
  if (problems.length > 0) fail("DIR_CSV_INVALID", problems);
  return rows;
};

/**
 * Imports users from CSV, all or nothing: a header row names the columns (`uid` required;
 * `password`, `enabled` (true/false) and `groups` (`;`-separated cns) optional; every other column
 * is an attribute, several values `;`-separated). Only new uids are accepted; groups named that do
 * not exist yet are created. Passwords are hashed before the transaction opens, so the database
 * is held only for the writes.
 */
export const importCsv = async (
  context: ServiceContext,
  actor: Actor,
  text: string,
): Promise<ImportResult> => {
  const rows = readCsv(text);
  const uidColumn = (row: ImportRow) => `line ${row.line}, column uid`;
  const existing: Problems = [];
  for (const row of rows) {
    if (await context.store.directory.getUser(row.uid))
      existing.push({ field: uidColumn(row), message: `a user "${row.uid}" already exists` });
  }
  if (existing.length > 0) fail("DIR_CSV_INVALID", existing);
  const hashes = new Map<string, string>();
  // One at a time: each scrypt takes 32 MiB, and this is a background bulk job.
  for (const row of rows)
    if (row.password !== undefined) hashes.set(row.uid, await hashPassword(row.password));

  return context.store.transaction(async (repos) => {
    const at = context.clock.now().toISOString();
    const groups = new Map<string, DirectoryGroup>();
    const groupsCreated: string[] = [];
    const changes: Change[] = [];
    for (const row of rows) {
      if (await repos.directory.getUser(row.uid)) {
        fail("DIR_CSV_INVALID", [{ field: uidColumn(row), message: `a user "${row.uid}" already exists` }]);
      }
      const user: DirectoryUser = {
        uid: row.uid,
        enabled: row.enabled,
        attributes: row.attributes,
        passwordHash: hashes.get(row.uid) ?? null,
        createdAt: at,
        updatedAt: at,
      };
      await repos.directory.createUser(user);
      changes.push({ entity: "user", id: user.uid, operation: "create" });
      for (const cn of row.groups) {
        const key = cn.toLowerCase();
        let group = groups.get(key) ?? (await repos.directory.getGroup(cn));
        if (!group) {
          group = { cn, description: null, members: [], createdAt: at, updatedAt: at };
          await repos.directory.createGroup(group);
          groupsCreated.push(cn);
          changes.push({ entity: "group", id: cn, operation: "create" });
        }
        groups.set(key, { ...group, members: [...group.members, user.uid], updatedAt: at });
      }
      await audit(
        context,
        repos,
        actor,
        "directoryUser.create",
        { type: "directoryUser", id: user.uid },
        {
          source: "csv",
          attributes: Object.keys(user.attributes),
          enabled: user.enabled,
          hasPassword: user.passwordHash !== null,
          groups: row.groups,
        },
      );
    }
    for (const group of groups.values()) {
      await repos.directory.updateGroup(group);
      if (!groupsCreated.includes(group.cn)) changes.push(groupUpdated(group.cn));
    }
    await appendChanges(repos, at, changes);
    await audit(
      context,
      repos,
      actor,
      "directory.importCsv",
      { type: "directory", id: null },
      {
        imported: rows.length,
        groupsCreated,
      },
    );
    return { imported: rows.length, users: rows.map((r) => r.uid), groupsCreated };
  });
};
