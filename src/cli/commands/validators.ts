import { type Command, Option } from "commander";
import { builtInValidatorId, ldapValidatorPluginId } from "../../domain/credential-validator.ts";
import { fieldNames, usernamePlaceholder } from "../../services/credential-validators/ldap-settings.ts";
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
  readJsonObject,
  text,
  usageError,
  withConnectionOptions,
} from "./common.ts";

/**
 * `portico validators list|get|create|update|delete|order`: LDAP Username Password Credential
 * Validators over `/passwordCredentialValidators`, and the sign-in form's list of them, tried in
 * order (`/idp/adapters/htmlform`; `PorticoDirectory` is the built-in directory).
 */

const path = "/passwordCredentialValidators";
const formPath = "/idp/adapters/htmlform";
const tableName = "Credential Validators";
const rowField = "Password Credential Validator Instance";
const scopes = { "one-level": "One Level", subtree: "Subtree" } as const;

type JsonFlag = ConnectionOptions & { json?: boolean | undefined };
type ValidatorOptions = JsonFlag & {
  file?: string | undefined;
  id?: string | undefined;
  name?: string | undefined;
  dataStore?: string | undefined;
  searchBase?: string | undefined;
  searchFilter?: string | undefined;
  scope?: keyof typeof scopes | undefined;
  caseSensitive?: boolean | undefined;
};

type Field = { name: string; value?: string };

const fieldsOf = (validator: JsonObject): Field[] => {
  const configuration = isObject(validator.configuration) ? validator.configuration : {};
  return Array.isArray(configuration.fields)
    ? configuration.fields.filter(isObject).map((f) => ({ name: text(f.name, ""), value: text(f.value, "") }))
    : [];
};

const field = (validator: JsonObject, name: string): string =>
  fieldsOf(validator).find((f) => f.name === name)?.value || "-";

/** The form's validator ids, in order, from its PingFederate document. */
const formOrder = (form: JsonObject): string[] => {
  const configuration = isObject(form.configuration) ? form.configuration : {};
  const tables = Array.isArray(configuration.tables) ? configuration.tables.filter(isObject) : [];
  const rows = tables.find((t) => t.name === tableName)?.rows;
  return (Array.isArray(rows) ? rows.filter(isObject) : []).map((row) => {
    const cells = Array.isArray(row.fields) ? row.fields.filter(isObject) : [];
    return text(cells.find((f) => f.name === rowField)?.value);
  });
};

const formDocument = (ids: readonly string[]) => ({
  configuration: {
    tables: [{ name: tableName, rows: ids.map((value) => ({ fields: [{ name: rowField, value }] })) }],
  },
});

const describeValidator = (validator: JsonObject, order: readonly string[]): string => {
  const position = order.indexOf(text(validator.id));
  return [
    `id:             ${text(validator.id)}`,
    `name:           ${text(validator.name)}`,
    `data store:     ${field(validator, fieldNames.dataStore)}`,
    `search base:    ${field(validator, fieldNames.searchBase)}`,
    `search filter:  ${field(validator, fieldNames.searchFilter)}`,
    `scope:          ${field(validator, fieldNames.scope) === "-" ? "Subtree" : field(validator, fieldNames.scope)}`,
    `case-sensitive: ${field(validator, fieldNames.caseSensitive) === "true" ? "yes" : "no"}`,
    `sign-in form:   ${position < 0 ? "not listed" : `tried ${position + 1} of ${order.length}`}`,
    "",
  ].join("\n");
};

/** The flags as PingFederate's named fields, over `fields` (the stored ones, on update). */
const withFlags = (fields: readonly Field[], options: ValidatorOptions): Field[] => {
  const set: [string, string | undefined][] = [
    [fieldNames.dataStore, options.dataStore],
    [fieldNames.searchBase, options.searchBase],
    [fieldNames.searchFilter, options.searchFilter],
    [fieldNames.scope, options.scope === undefined ? undefined : scopes[options.scope]],
    [
      fieldNames.caseSensitive,
      options.caseSensitive === undefined ? undefined : String(options.caseSensitive),
    ],
  ];
  const out = fields.map((f) => ({ ...f }));
  for (const [name, value] of set) {
    if (value === undefined) continue;
    const existing = out.find((f) => f.name === name);
    if (existing) existing.value = value;
    else out.push({ name, value });
  }
  return out;
};

const hasFieldFlags = (options: ValidatorOptions) =>
  [options.dataStore, options.searchBase, options.searchFilter, options.scope, options.caseSensitive].some(
    (v) => v !== undefined,
  );

/** The document to send: a JSON file, or the flags over `base` (empty on create). */
const documentFrom = async (io: CliIo, options: ValidatorOptions, base: JsonObject): Promise<JsonObject> => {
  if (options.file !== undefined) {
    if (hasFieldFlags(options)) throw usageError("give --file or the validator's flags, not both");
    const document = await readJsonObject(io, options.file);
    return {
      ...document,
      ...(options.id === undefined ? {} : { id: options.id }),
      ...(options.name === undefined ? {} : { name: options.name }),
    };
  }
  const configuration = isObject(base.configuration) ? base.configuration : {};
  return {
    ...base,
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.name === undefined ? {} : { name: options.name }),
    pluginDescriptorRef: { id: ldapValidatorPluginId },
    configuration: { ...configuration, fields: withFlags(fieldsOf(base), options) },
  };
};

const validatorOptions = (command: Command): Command =>
  command
    .option("--file <json>", "the PasswordCredentialValidator document, in PingFederate's shape")
    .option("--name <name>", "a unique name")
    .option("--data-store <id>", "the LDAP data store to search (portico datastores list)")
    .option("--search-base <dn>", "where to search, e.g. ou=people,dc=example,dc=com")
    .option(
      "--search-filter <filter>",
      `finds the one entry of the typed username, ${usernamePlaceholder}: quote it, e.g. '(sAMAccountName=${usernamePlaceholder})'`,
    )
    .addOption(new Option("--scope <scope>", "of the search (default subtree)").choices(Object.keys(scopes)))
    .option("--case-sensitive", "the username must match the entry's spelling exactly")
    .option("--no-case-sensitive", "match the username in any case (the default)")
    .option("--json", "print the API's JSON");

export const registerValidatorCommands = (program: Command, io: CliIo): void => {
  const group = commandGroup(
    program,
    "validators",
    "manage LDAP password credential validators and the sign-in form's order",
  );

  withConnectionOptions(
    group.command("list").description("list validators, with their place in the sign-in form"),
  )
    .option("--json", "print the API's JSON")
    .action(async (options: JsonFlag) => {
      const client = clientFor(io, options);
      const response = await client.get(path);
      if (options.json) return printJson(io, response);
      const order = formOrder(await client.get<JsonObject>(formPath));
      const rows = items(response).map((v) => {
        const position = order.indexOf(text(v.id));
        return [
          text(v.id),
          text(v.name),
          field(v, fieldNames.dataStore),
          field(v, fieldNames.searchBase),
          field(v, fieldNames.searchFilter),
          position < 0 ? "-" : String(position + 1),
        ];
      });
      io.stdout(
        `${rows.length === 0 ? "No validators.\n" : formatTable(["ID", "NAME", "DATA STORE", "SEARCH BASE", "FILTER", "ORDER"], rows)}Sign-in form: ${order.join(", ")}\n`,
      );
    });

  withConnectionOptions(group.command("get").description("show one validator").argument("<id>"))
    .option("--json", "print the API's JSON")
    .action(async (id: string, options: JsonFlag) => {
      const client = clientFor(io, options);
      const validator = await client.get<JsonObject>(`${path}/${pathId(id)}`);
      if (options.json) return printJson(io, validator);
      io.stdout(describeValidator(validator, formOrder(await client.get<JsonObject>(formPath))));
    });

  withConnectionOptions(
    validatorOptions(
      group
        .command("create")
        .description("create an LDAP Username Password Credential Validator, from flags or a JSON file")
        .option("--id <id>", "validator id (default: generated)"),
    ),
  ).action(async (options: ValidatorOptions) => {
    if (options.file === undefined && options.name === undefined) throw usageError("give --name, or --file");
    const client = clientFor(io, options);
    const created = await client.post<JsonObject>(path, await documentFrom(io, options, {}));
    if (options.json) return printJson(io, created);
    io.stdout(
      `Created validator "${text(created.id)}".\n${describeValidator(created, formOrder(await client.get<JsonObject>(formPath)))}List it in the sign-in form: portico validators order ${text(created.id)},${builtInValidatorId}\n`,
    );
  });

  withConnectionOptions(
    validatorOptions(
      group
        .command("update")
        .description(
          "change a validator: the flags given replace those fields; --file replaces the whole document",
        )
        .argument("<id>"),
    ),
  ).action(async (id: string, options: ValidatorOptions) => {
    const client = clientFor(io, options);
    const stored = options.file === undefined ? await client.get<JsonObject>(`${path}/${pathId(id)}`) : {};
    const { location: _location, ...base } = stored;
    const updated = await client.put<JsonObject>(
      `${path}/${pathId(id)}`,
      await documentFrom(io, options, base),
    );
    if (options.json) return printJson(io, updated);
    io.stdout(
      `Updated validator "${text(updated.id)}".\n${describeValidator(updated, formOrder(await client.get<JsonObject>(formPath)))}`,
    );
  });

  withConnectionOptions(
    group.command("delete").description("delete a validator the sign-in form does not list").argument("<id>"),
  ).action(async (id: string, options: ConnectionOptions) => {
    await clientFor(io, options).delete(`${path}/${pathId(id)}`);
    io.stdout(`Deleted validator "${id}".\n`);
  });

  withConnectionOptions(
    group
      .command("order")
      .description(
        `show the sign-in form's validators in the order they are tried, or set it (${builtInValidatorId} is the built-in directory)`,
      )
      .argument("[ids]", `comma-separated, e.g. corpAD,${builtInValidatorId}`),
  )
    .option("--json", "print the API's JSON")
    .action(async (ids: string | undefined, options: JsonFlag) => {
      const client = clientFor(io, options);
      const wanted = ids
        ?.split(",")
        .map((id) => id.trim())
        .filter((id) => id !== "");
      if (wanted !== undefined && wanted.length === 0)
        throw usageError(`name at least one validator, e.g. ${builtInValidatorId}`);
      const form =
        wanted === undefined
          ? await client.get<JsonObject>(formPath)
          : await client.put<JsonObject>(formPath, formDocument(wanted));
      if (options.json) return printJson(io, form);
      const order = formOrder(form);
      io.stdout(
        `${wanted === undefined ? "The sign-in form tries" : "The sign-in form now tries"}, in order:\n${order.map((id, i) => `  ${i + 1}. ${id}${id === builtInValidatorId ? " (the built-in directory)" : ""}`).join("\n")}\n`,
      );
    });
};
