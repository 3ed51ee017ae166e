import type { Command } from "commander";
import { isAppError } from "../../lib/errors.ts";
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
  writeOutFile,
} from "./common.ts";

type JsonFlag = ConnectionOptions & { json?: boolean | undefined };
type FileOptions = JsonFlag & { file: string };

export const connectionsPath = "/idp/spConnections";

const endpointsOf = (connection: JsonObject): JsonObject[] => {
  const sso = connection.spBrowserSso;
  const endpoints = isObject(sso) ? sso.ssoServiceEndpoints : undefined;
  return Array.isArray(endpoints) ? endpoints.filter(isObject) : [];
};

export const defaultAcsUrl = (connection: JsonObject): string =>
  text(endpointsOf(connection).find((e) => e.isDefault === true)?.url);

export const ssoApplicationEndpointOf = (connection: JsonObject): string => {
  const sso = connection.spBrowserSso;
  return text(isObject(sso) ? sso.ssoApplicationEndpoint : undefined);
};

/** Each ACS as `ACS [0] (default) https://…`, for people. */
export const acsLines = (connection: JsonObject): string[] =>
  endpointsOf(connection).map(
    (e) => `  ACS [${text(e.index, "?")}]${e.isDefault === true ? " (default)" : ""} ${text(e.url)}`,
  );

/**
 * The document without what the server computes (creation and modification dates, the SSO
 * application endpoint, certificate views, link locations): what `connections import` and
 * `create` take back unchanged.
 */
export const withoutReadOnly = (connection: JsonObject): JsonObject => {
  const {
    creationDate: _c,
    modificationDate: _m,
    replicationStatus: _r,
    ...rest
  } = structuredClone(connection);
  const sso = rest.spBrowserSso;
  if (isObject(sso)) delete sso.ssoApplicationEndpoint;
  const credentials = rest.credentials;
  if (isObject(credentials)) {
    const certs = Array.isArray(credentials.certs) ? credentials.certs : [];
    for (const cert of certs) if (isObject(cert)) delete cert.certView;
    const signing = credentials.signingSettings;
    if (isObject(signing)) {
      const refs = [
        signing.signingKeyPairRef,
        ...(Array.isArray(signing.alternativeSigningKeyPairRefs)
          ? signing.alternativeSigningKeyPairRefs
          : []),
      ];
      for (const ref of refs) if (isObject(ref)) delete ref.location;
    }
  }
  return rest;
};

const describe = (connection: JsonObject): string => `"${text(connection.name)}" (id ${text(connection.id)})`;

/** What a person needs after creating a connection: where Salesforce must send its users. */
const printCreated = (io: CliIo, verb: string, connection: JsonObject): void => {
  io.stdout(
    [
      `${verb} SP connection ${describe(connection)}, ${connection.active === true ? "active" : "inactive"}.`,
      `  Entity ID: ${text(connection.entityId)}`,
      `  SSO Application Endpoint: ${ssoApplicationEndpointOf(connection)}`,
      "",
    ].join("\n"),
  );
};

const isNotFound = (error: unknown): boolean => isAppError(error) && error.code === "CONN_NOT_FOUND";

export const registerConnectionCommands = (program: Command, io: CliIo): void => {
  const group = commandGroup(program, "connections", "manage SP connections (Salesforce orgs)");

  withConnectionOptions(group.command("list").description("list SP connections"))
    .option("--json", "print the API's JSON")
    .action(async (options: JsonFlag) => {
      const response = await clientFor(io, options).get(connectionsPath);
      if (options.json) return printJson(io, response);
      const rows = items(response).map((c) => [
        text(c.id),
        text(c.name),
        text(c.entityId),
        c.active === true ? "yes" : "no",
        defaultAcsUrl(c),
      ]);
      io.stdout(
        rows.length === 0
          ? "No SP connections.\n"
          : formatTable(["ID", "NAME", "ENTITY ID", "ACTIVE", "DEFAULT ACS"], rows),
      );
    });

  withConnectionOptions(group.command("get").description("print one SP connection as JSON"))
    .argument("<id>", "connection id")
    .action(async (id: string, options: ConnectionOptions) => {
      printJson(io, await clientFor(io, options).get(`${connectionsPath}/${pathId(id)}`));
    });

  withConnectionOptions(group.command("create").description("create an SP connection from a JSON document"))
    .requiredOption("--file <file>", "the connection document (JSON), or - for standard input")
    .option("--json", "print the created connection's JSON")
    .action(async (options: FileOptions) => {
      const document = await readJsonObject(io, options.file);
      const created = await clientFor(io, options).post<JsonObject>(connectionsPath, document);
      if (options.json) return printJson(io, created);
      printCreated(io, "Created", created);
    });

  withConnectionOptions(
    group.command("update").description("replace an SP connection with a JSON document (PUT)"),
  )
    .argument("<id>", "connection id")
    .requiredOption("--file <file>", "the connection document (JSON), or - for standard input")
    .option("--json", "print the updated connection's JSON")
    .action(async (id: string, options: FileOptions) => {
      const document = await readJsonObject(io, options.file);
      const updated = await clientFor(io, options).put<JsonObject>(
        `${connectionsPath}/${pathId(id)}`,
        document,
      );
      if (options.json) return printJson(io, updated);
      io.stdout(`Updated SP connection ${describe(updated)}.\n`);
    });

  withConnectionOptions(group.command("delete").description("delete an inactive SP connection"))
    .argument("<id>", "connection id")
    .action(async (id: string, options: ConnectionOptions) => {
      await clientFor(io, options).delete(`${connectionsPath}/${pathId(id)}`);
      io.stdout(`Deleted SP connection "${id}".\n`);
    });

  withConnectionOptions(
    group
      .command("export")
      .description("print an SP connection without its read-only fields, ready to import"),
  )
    .argument("<id>", "connection id")
    .option("--out <file>", "write the document to a file instead of standard output")
    .action(async (id: string, options: ConnectionOptions & { out?: string | undefined }) => {
      const connection = await clientFor(io, options).get<JsonObject>(`${connectionsPath}/${pathId(id)}`);
      const document = `${JSON.stringify(withoutReadOnly(connection), null, 2)}\n`;
      if (options.out === undefined) return io.stdout(document);
      const path = await writeOutFile(io, options.out, document);
      io.stdout(`Wrote SP connection ${describe(connection)} to ${path}.\n`);
    });

  withConnectionOptions(
    group
      .command("import")
      .description("create an SP connection from an exported document (POST, or PUT with --replace)"),
  )
    .requiredOption("--file <file>", "the connection document (JSON), or - for standard input")
    .option("--replace", "replace the connection with the document's id when it exists")
    .option("--json", "print the stored connection's JSON")
    .action(async (options: FileOptions & { replace?: boolean | undefined }) => {
      const document = await readJsonObject(io, options.file);
      const client = clientFor(io, options);
      const id = typeof document.id === "string" && document.id !== "" ? document.id : undefined;
      if (options.replace && id === undefined) throw usageError("--replace needs a document with an id");
      let exists = false;
      if (options.replace && id !== undefined) {
        try {
          await client.get(`${connectionsPath}/${pathId(id)}`);
          exists = true;
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      const stored =
        exists && id !== undefined
          ? await client.put<JsonObject>(`${connectionsPath}/${pathId(id)}`, document)
          : await client.post<JsonObject>(connectionsPath, document);
      if (options.json) return printJson(io, stored);
      printCreated(io, exists ? "Replaced" : "Imported", stored);
    });

  for (const [name, active] of [
    ["activate", true],
    ["deactivate", false],
  ] as const) {
    withConnectionOptions(
      group
        .command(name)
        .description(
          active
            ? "let users sign in to this SP (sets active: true)"
            : "stop SSO to this SP (sets active: false)",
        ),
    )
      .argument("<id>", "connection id")
      .option("--json", "print the updated connection's JSON")
      .action(async (id: string, options: JsonFlag) => {
        const client = clientFor(io, options);
        const path = `${connectionsPath}/${pathId(id)}`;
        // GET then PUT: the document goes back whole, secrets as the encryptedValue the server
        // gave out, which it keeps (PingFederate's PUT semantics).
        const current = await client.get<JsonObject>(path);
        const updated = await client.put<JsonObject>(path, { ...withoutReadOnly(current), active });
        if (options.json) return printJson(io, updated);
        io.stdout(
          `SP connection ${describe(updated)} is now ${updated.active === true ? "active" : "inactive"}.\n`,
        );
      });
  }
};
