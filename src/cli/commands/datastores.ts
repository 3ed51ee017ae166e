import { type Command, Option } from "commander";
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
  readText,
  text,
  usageError,
  withConnectionOptions,
} from "./common.ts";

/** `portico datastores list|get|create|test`: LDAP data stores over `/dataStores`. */

const path = "/dataStores";
const ldapTypes = [
  "ACTIVE_DIRECTORY",
  "ORACLE_DIRECTORY_SERVER",
  "ORACLE_UNIFIED_DIRECTORY",
  "PING_DIRECTORY",
  "GENERIC",
] as const;

type JsonFlag = ConnectionOptions & { json?: boolean | undefined };
type CreateOptions = JsonFlag & {
  file?: string | undefined;
  id?: string | undefined;
  name?: string | undefined;
  type?: string | undefined;
  host?: string[] | undefined;
  bindDn?: string | undefined;
  bindPasswordStdin?: boolean | undefined;
  anonymous?: boolean | undefined;
  ldaps?: boolean | undefined;
  starttls?: boolean | undefined;
  caFile?: string[] | undefined;
};

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

const security = (store: JsonObject) =>
  store.useSsl === true ? "LDAPS" : store.useStartTLS === true ? "StartTLS" : "none";

const hosts = (store: JsonObject) =>
  Array.isArray(store.hostnames) ? store.hostnames.map(String).join(" ") : "-";

const describeStore = (store: JsonObject): string =>
  [
    `id:         ${text(store.id)}`,
    `name:       ${text(store.name)}`,
    `type:       ${text(store.ldapType)}`,
    `hosts:      ${hosts(store)}`,
    `security:   ${security(store)}${store.verifyHost === false ? " (host name not verified)" : ""}`,
    `bind DN:    ${store.bindAnonymously === true ? "(anonymous)" : text(store.userDN)}`,
    `password:   ${store.encryptedPassword === undefined ? "not set" : "set (sealed)"}`,
    `trusted CA: ${Array.isArray(store.trustedCAs) ? `${store.trustedCAs.length} certificate(s)` : "system roots"}`,
    "",
  ].join("\n");

/** The document to create: a JSON file, or the flags. The password comes only from stdin. */
const documentFrom = async (io: CliIo, options: CreateOptions): Promise<JsonObject> => {
  const password = options.bindPasswordStdin ? (await io.readStdin()).replace(/\r?\n$/, "") : undefined;
  if (options.file !== undefined) {
    const flags = [
      options.type,
      options.host,
      options.bindDn,
      options.caFile,
      options.ldaps,
      options.starttls,
    ];
    if (flags.some((f) => f !== undefined)) throw usageError("give --file or the data store flags, not both");
    const document = await readJsonObject(io, options.file);
    return {
      ...document,
      ...(options.id === undefined ? {} : { id: options.id }),
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(password === undefined ? {} : { password }),
    };
  }
  if (options.host === undefined) throw usageError("give --host (repeat it for failover), or --file");
  if (options.anonymous && options.bindDn !== undefined)
    throw usageError("give --bind-dn or --anonymous, not both");
  if (!options.anonymous && options.bindDn === undefined) throw usageError("give --bind-dn, or --anonymous");
  if (options.bindDn !== undefined && password === undefined)
    throw usageError("give the bind DN's password on standard input with --bind-password-stdin");
  const cas = await Promise.all((options.caFile ?? []).map((file) => readText(io, file)));
  return {
    type: "LDAP",
    ldapType: options.type ?? "GENERIC",
    hostnames: options.host,
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.anonymous ? { bindAnonymously: true } : { userDN: options.bindDn, password }),
    ...(options.ldaps ? { useSsl: true } : {}),
    ...(options.starttls ? { useStartTLS: true } : {}),
    ...(cas.length === 0 ? {} : { trustedCAs: cas }),
  };
};

export const registerDataStoreCommands = (program: Command, io: CliIo): void => {
  const group = commandGroup(program, "datastores", "manage LDAP data stores");

  withConnectionOptions(group.command("list").description("list LDAP data stores"))
    .option("--json", "print the API's JSON")
    .action(async (options: JsonFlag) => {
      const response = await clientFor(io, options).get(path);
      if (options.json) return printJson(io, response);
      const rows = items(response).map((s) => [
        text(s.id),
        text(s.name),
        text(s.ldapType),
        hosts(s),
        security(s),
        s.bindAnonymously === true ? "(anonymous)" : text(s.userDN),
      ]);
      io.stdout(
        rows.length === 0
          ? "No data stores.\n"
          : formatTable(["ID", "NAME", "TYPE", "HOSTS", "TLS", "BIND DN"], rows),
      );
    });

  withConnectionOptions(group.command("get").description("show one data store").argument("<id>"))
    .option("--json", "print the API's JSON")
    .action(async (id: string, options: JsonFlag) => {
      const store = await clientFor(io, options).get<JsonObject>(`${path}/${pathId(id)}`);
      if (options.json) return printJson(io, store);
      io.stdout(describeStore(store));
    });

  withConnectionOptions(
    group
      .command("create")
      .description("create an LDAP data store, from flags or a PingFederate-shaped JSON file"),
  )
    .option("--file <json>", "the LdapDataStore document (its password may come from --bind-password-stdin)")
    .option("--id <id>", "data store id (default: generated)")
    .option("--name <name>", "a unique name (default: the hosts and bind DN)")
    .addOption(new Option("--type <ldapType>", "kind of directory (default GENERIC)").choices([...ldapTypes]))
    .option("--host <host[:port]>", "LDAP server; repeat for failover, tried in order", collect)
    .option("--bind-dn <dn>", "the service account's DN")
    .option("--bind-password-stdin", "read the bind password from standard input")
    .option("--anonymous", "bind anonymously")
    .option("--ldaps", "LDAPS (port 636 unless given)")
    .option("--starttls", "StartTLS on the plain port")
    .option("--ca-file <pem>", "a CA certificate to trust for TLS; repeatable", collect)
    .option("--json", "print the API's JSON")
    .action(async (options: CreateOptions) => {
      const store = await clientFor(io, options).post<JsonObject>(path, await documentFrom(io, options));
      if (options.json) return printJson(io, store);
      io.stdout(
        `Created data store "${text(store.id)}".\n${describeStore(store)}Test it: portico datastores test ${text(store.id)}\n`,
      );
    });

  withConnectionOptions(
    group
      .command("test")
      .description(
        "connect, secure, bind and search now; a failure names the stage (DNS, TCP, TLS, bind, search)",
      )
      .argument("<id>"),
  )
    .option("--base-dn <dn>", "search this entry (default: the root DSE)")
    .option("--json", "print the API's JSON")
    .action(async (id: string, options: JsonFlag & { baseDn?: string | undefined }) => {
      const result = await clientFor(io, options).post<JsonObject>(
        `${path}/${pathId(id)}/test`,
        options.baseDn === undefined ? {} : { baseDn: options.baseDn },
      );
      if (options.json) return printJson(io, result);
      const skipped = Array.isArray(result.skipped) ? result.skipped.filter(isObject) : [];
      const stages = Array.isArray(result.stages) ? result.stages.map(String).join(" → ") : "";
      io.stdout(
        [
          `Data store "${id}": OK via ${text(result.hostname)} (${stages}, ${text(result.durationMs)} ms).`,
          ...skipped.map((s) => `  skipped ${text(s.hostname)}: ${text(s.code)} ${text(s.message)}`),
          `  naming contexts: ${Array.isArray(result.namingContexts) ? result.namingContexts.join(", ") || "-" : "-"}`,
          "",
        ].join("\n"),
      );
    });
};
