import { type Command, InvalidArgumentError } from "commander";
import type { AdminClient } from "../client.ts";
import type { CliIo } from "../io.ts";
import { formatTable } from "../table.ts";
import {
  type ConnectionOptions,
  clientFor,
  commandGroup,
  isObject,
  items,
  type JsonObject,
  pathId,
  printJson,
  readText,
  text,
  usageError,
  withConnectionOptions,
} from "./common.ts";

type JsonFlag = ConnectionOptions & { json?: boolean | undefined };
type PasswordOptions = { passwordStdin?: boolean | undefined; userPassword?: string | undefined };
type AddOptions = JsonFlag &
  PasswordOptions & {
    attr?: [string, string][] | undefined;
    group?: string[] | undefined;
    disabled?: boolean | undefined;
  } & Partial<Record<(typeof namedAttributes)[number][0], string>>;

/** Flags for the common attributes: commander's option key → the LDAP attribute it sets. */
const namedAttributes = [
  ["mail", "mail", "--mail <address>", "email address"],
  ["givenName", "givenName", "--given-name <name>", "first name"],
  ["sn", "sn", "--sn <name>", "surname"],
  ["cn", "cn", "--cn <name>", "full name"],
  ["displayName", "displayName", "--display-name <name>", "display name"],
  ["title", "title", "--title <title>", "job title"],
  ["department", "department", "--department <name>", "department"],
  ["phone", "telephoneNumber", "--phone <number>", "telephoneNumber"],
  ["employeeNumber", "employeeNumber", "--employee-number <n>", "employeeNumber"],
  ["language", "preferredLanguage", "--language <tag>", "preferredLanguage, e.g. en-US"],
] as const;

const attributePair = (value: string, previous: [string, string][] = []): [string, string][] => {
  const at = value.indexOf("=");
  if (at <= 0) throw new InvalidArgumentError("Give it as name=value.");
  return [...previous, [value.slice(0, at), value.slice(at + 1)]];
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `--password-stdin` (one line, its line end dropped) or `--user-password`; undefined when neither. */
const userPassword = async (io: CliIo, options: PasswordOptions): Promise<string | undefined> => {
  if (options.passwordStdin && options.userPassword !== undefined) {
    throw usageError("give --password-stdin or --user-password, not both");
  }
  if (options.passwordStdin) return (await io.readStdin()).replace(/\r?\n$/, "");
  return options.userPassword;
};

const withPasswordOptions = (command: Command): Command =>
  command
    .option("--password-stdin", "read the user's password from standard input")
    .option(
      "--user-password <password>",
      "the user's password (visible to other local users in the process list; prefer --password-stdin)",
    )
    .addHelpText("after", "\nThe admin --password and the user's --user-password are different things.");

const values = (value: unknown): string[] =>
  typeof value === "string"
    ? [value]
    : Array.isArray(value)
      ? value.filter((v) => typeof v === "string")
      : [];

const nameOf = (user: JsonObject): string => {
  const [displayName] = values(user.displayName);
  const [cn] = values(user.cn);
  const full = [...values(user.givenName).slice(0, 1), ...values(user.sn).slice(0, 1)].join(" ");
  return displayName ?? cn ?? (full || "-");
};

const list = (value: unknown): string => (values(value).length === 0 ? "-" : values(value).join(", "));

const describeUser = (user: JsonObject): string => {
  const state = [
    user.enabled === false ? "disabled" : "enabled",
    user.hasPassword === true ? "password set" : "no password",
    ...(values(user.groups).length > 0 ? [`groups: ${list(user.groups)}`] : []),
  ];
  return `"${text(user.uid)}" (${state.join(", ")})`;
};

const reserved = new Set(["uid", "enabled", "hasPassword", "groups", "createdAt", "updatedAt"]);

const printUser = (io: CliIo, user: JsonObject): void => {
  const lines = [
    `uid:         ${text(user.uid)}`,
    `enabled:     ${user.enabled === false ? "no" : "yes"}`,
    `password:    ${user.hasPassword === true ? "set" : "not set"}`,
    `groups:      ${list(user.groups)}`,
    ...Object.entries(user)
      .filter(([name]) => !reserved.has(name))
      .map(([name, value]) => `${`${name}:`.padEnd(12)} ${values(value).join("; ")}`),
    `created:     ${text(user.createdAt)}`,
    `updated:     ${text(user.updatedAt)}`,
  ];
  io.stdout(`${lines.join("\n")}\n`);
};

/** Every user, following the API's pages. */
const allUsers = async (client: AdminClient, filter: string | undefined): Promise<JsonObject[]> => {
  const out: JsonObject[] = [];
  const pageSize = 1000;
  let after: string | undefined;
  for (;;) {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (after !== undefined) query.set("after", after);
    if (filter !== undefined) query.set("filter", filter);
    const page = items(await client.get(`/directory/users?${query}`));
    out.push(...page);
    const last = page.at(-1);
    if (page.length < pageSize || last === undefined) return out;
    after = text(last.uid);
  }
};

export const registerUserCommands = (program: Command, io: CliIo): void => {
  const group = commandGroup(program, "users", "manage users of the built-in directory");

  const add = withConnectionOptions(group.command("add").description("create a user")).argument(
    "<uid>",
    "the sign-in name (letters, digits, . _ @ -)",
  );
  for (const [, , flags, description] of namedAttributes) add.option(flags, description);
  add
    .option("--attr <name=value>", "any attribute; repeat it, also for several values", attributePair)
    .option("--group <cn>", "join an existing group; repeatable", collect)
    .option("--disabled", "create the user disabled")
    .option("--json", "print the API's JSON");
  withPasswordOptions(add).action(async (uid: string, options: AddOptions) => {
    const attributes: Record<string, string[]> = {};
    for (const [key, attribute] of namedAttributes) {
      const value = options[key];
      if (value !== undefined) attributes[attribute] = [value];
    }
    for (const [name, value] of options.attr ?? []) attributes[name] = [...(attributes[name] ?? []), value];
    const password = await userPassword(io, options);
    const body: JsonObject = {
      ...Object.fromEntries(Object.entries(attributes).map(([n, v]) => [n, v.length === 1 ? v[0] : v])),
      uid,
      ...(password === undefined ? {} : { password }),
      ...(options.disabled ? { enabled: false } : {}),
      ...(options.group === undefined ? {} : { groups: options.group }),
    };
    const created = await clientFor(io, options).post<JsonObject>("/directory/users", body);
    if (options.json) return printJson(io, created);
    io.stdout(`Created user ${describeUser(created)}.\n`);
  });

  withConnectionOptions(group.command("list").description("list users"))
    .option("--filter <text>", "only users whose uid, mail or cn contains this (any case)")
    .option("--json", "print the API's JSON")
    .action(async (options: JsonFlag & { filter?: string | undefined }) => {
      const users = await allUsers(clientFor(io, options), options.filter);
      if (options.json) return printJson(io, { items: users });
      const rows = users.map((u) => [
        text(u.uid),
        nameOf(u),
        list(u.mail),
        u.enabled === false ? "no" : "yes",
        list(u.groups),
      ]);
      io.stdout(
        rows.length === 0 ? "No users.\n" : formatTable(["UID", "NAME", "MAIL", "ENABLED", "GROUPS"], rows),
      );
    });

  withConnectionOptions(group.command("get").description("show one user and its groups"))
    .argument("<uid>", "the user's uid")
    .option("--json", "print the API's JSON")
    .action(async (uid: string, options: JsonFlag) => {
      const user = await clientFor(io, options).get<JsonObject>(`/directory/users/${pathId(uid)}`);
      if (options.json || !isObject(user)) return printJson(io, user);
      printUser(io, user);
    });

  for (const [action, message] of [
    ["disable", "they can no longer sign in"],
    ["enable", "they can sign in again"],
  ] as const) {
    withConnectionOptions(group.command(action).description(`${action} a user (${message})`))
      .argument("<uid>", "the user's uid")
      .action(async (uid: string, options: ConnectionOptions) => {
        const user = await clientFor(io, options).post<JsonObject>(
          `/directory/users/${pathId(uid)}/${action}`,
          {},
        );
        io.stdout(`${action === "disable" ? "Disabled" : "Enabled"} user "${text(user.uid)}": ${message}.\n`);
      });
  }

  withPasswordOptions(
    withConnectionOptions(group.command("set-password").description("set a user's password")).argument(
      "<uid>",
      "the user's uid",
    ),
  ).action(async (uid: string, options: ConnectionOptions & PasswordOptions) => {
    const password = await userPassword(io, options);
    if (password === undefined) throw usageError("give --password-stdin or --user-password");
    await clientFor(io, options).put(`/directory/users/${pathId(uid)}/password`, { password });
    io.stdout(`Set the password of user "${uid}".\n`);
  });

  withConnectionOptions(group.command("delete").description("delete a user and its group memberships"))
    .argument("<uid>", "the user's uid")
    .action(async (uid: string, options: ConnectionOptions) => {
      await clientFor(io, options).delete(`/directory/users/${pathId(uid)}`);
      io.stdout(`Deleted user "${uid}".\n`);
    });

  withConnectionOptions(
    group
      .command("import")
      .description("import users from a CSV file, all or nothing")
      .addHelpText(
        "after",
        [
          "",
          "The header row names the columns: uid (required), password, enabled (true/false),",
          "groups (cns separated by ;, created when new) and any attribute (several values separated by ;).",
          "Example:",
          "  uid,mail,givenName,sn,groups",
          "  ada,ada@acme.com,Ada,Lovelace,Engineering;Sales",
        ].join("\n"),
      ),
  )
    .requiredOption("--csv <file>", "the CSV file, or - for standard input")
    .option("--json", "print the API's JSON")
    .action(async (options: JsonFlag & { csv: string }) => {
      const csv = await readText(io, options.csv);
      const result = await clientFor(io, options).post<JsonObject>("/directory/users/import", { csv });
      if (options.json) return printJson(io, result);
      const created = values(result.groupsCreated);
      io.stdout(
        `Imported ${text(result.imported, "0")} user(s)${created.length > 0 ? `; created group(s) ${created.join(", ")}` : ""}.\n`,
      );
    });
};
