import type { Command } from "commander";
import type { CliIo } from "../io.ts";
import {
  type ConnectionOptions,
  clientFor,
  commandGroup,
  type JsonObject,
  printJson,
  readJsonObject,
  withConnectionOptions,
  writeOutFile,
} from "./common.ts";

const count = (value: unknown): number => (Array.isArray(value) ? value.length : 0);
const list = (value: unknown): string =>
  Array.isArray(value) && value.length > 0 ? value.map(String).join(", ") : "none";

/** The import's channel problems, one line each: these channels show STOPPED until fixed. */
const waitingChannels = (value: unknown): string[] => {
  if (!Array.isArray(value) || value.length === 0) return [];
  return [
    "Active channels that cannot run yet (they show STOPPED until fixed):",
    ...value.map(
      (p: { spConnection?: unknown; field?: unknown; message?: unknown }) =>
        `  ${String(p.spConnection)}: ${String(p.field)}: ${String(p.message)}`,
    ),
  ];
};

export const registerConfigCommands = (program: Command, io: CliIo): void => {
  const group = commandGroup(program, "config", "export and import the whole configuration");

  withConnectionOptions(
    group
      .command("export")
      .description("print the configuration as one JSON document (private keys and secrets only encrypted)"),
  )
    .option("--out <file>", "write the document to a file instead of standard output")
    .action(async (options: ConnectionOptions & { out?: string | undefined }) => {
      const bundle = await clientFor(io, options).get<JsonObject>("/portico/config/export");
      const document = `${JSON.stringify(bundle, null, 2)}\n`;
      if (options.out === undefined) return io.stdout(document);
      const path = await writeOutFile(io, options.out, document);
      io.stdout(
        `Wrote ${count(bundle.keyPairs)} key pair(s), ${count(bundle.dataStores)} data store(s), ${count(bundle.passwordCredentialValidators)} credential validator(s) and ${count(bundle.spConnections)} SP connection(s) to ${path}.\n` +
          "It opens only with the same master key (PORTICO_MASTER_KEY) on the importing server.\n",
      );
    });

  withConnectionOptions(
    group
      .command("import")
      .description("import a configuration document (all or nothing; nothing may clash)"),
  )
    .argument("<file>", "the document from config export, or - for standard input")
    .option("--json", "print the API's JSON")
    .action(async (file: string, options: ConnectionOptions & { json?: boolean | undefined }) => {
      const bundle = await readJsonObject(io, file);
      const report = await clientFor(io, options).post<JsonObject>("/portico/config/import", bundle);
      if (options.json) return printJson(io, report);
      io.stdout(
        [
          `Imported key pairs: ${list(report.keyPairsImported)}`,
          ...(count(report.keyPairsReplaced) > 0
            ? [`  replacing this server's unused key pairs of the same id: ${list(report.keyPairsReplaced)}`]
            : []),
          `Key pairs already present: ${list(report.keyPairsAlreadyPresent)}`,
          `Imported data stores: ${list(report.dataStoresImported)}`,
          `Imported credential validators: ${list(report.passwordCredentialValidatorsImported)}`,
          `Sign-in form: ${Array.isArray(report.htmlFormAdapterImported) ? `tries ${list(report.htmlFormAdapterImported)}, in order` : "left as it was"}`,
          `Imported SP connections: ${list(report.spConnectionsImported)}`,
          ...waitingChannels(report.channelProblems),
          "",
        ].join("\n"),
      );
    });
};
