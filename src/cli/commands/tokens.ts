import type { Command } from "commander";
import type { CliIo } from "../io.ts";
import { formatTable } from "../table.ts";
import {
  type ConnectionOptions,
  clientFor,
  commandGroup,
  items,
  type JsonObject,
  pathId,
  positiveInteger,
  printJson,
  text,
  withConnectionOptions,
} from "./common.ts";

type JsonFlag = ConnectionOptions & { json?: boolean | undefined };

const when = (value: unknown, fallback: string): string =>
  typeof value === "string" ? value.replace(/\.\d+Z$/, "Z") : fallback;

export const registerTokenCommands = (program: Command, io: CliIo): void => {
  const group = commandGroup(program, "tokens", "manage API tokens (Bearer credentials for scripts)");

  withConnectionOptions(group.command("create").description("create an API token; it is shown this once"))
    .requiredOption("--name <name>", "what the token is for")
    .option("--expires-in-days <days>", "lifetime in days (default: no expiry)", positiveInteger)
    .option("--json", "print the API's JSON (it holds the token)")
    .action(async (options: JsonFlag & { name: string; expiresInDays?: number | undefined }) => {
      const created = await clientFor(io, options).post<JsonObject>("/apiTokens", {
        name: options.name,
        ...(options.expiresInDays === undefined ? {} : { expiresInDays: options.expiresInDays }),
      });
      if (options.json) return printJson(io, created);
      io.stdout(
        [
          `Created API token "${text(created.name)}" (id ${text(created.id)}, expires ${when(created.expiresAt, "never")}).`,
          `Token: ${text(created.token)}`,
          "Copy it now: it is not shown again. Use it with --token or PORTICO_API_TOKEN.",
          "",
        ].join("\n"),
      );
    });

  withConnectionOptions(group.command("list").description("list API tokens (never the tokens themselves)"))
    .option("--json", "print the API's JSON")
    .action(async (options: JsonFlag) => {
      const response = await clientFor(io, options).get("/apiTokens");
      if (options.json) return printJson(io, response);
      const rows = items(response).map((t) => [
        text(t.id),
        text(t.name),
        text(t.createdBy),
        when(t.createdAt, "-"),
        when(t.lastUsedAt, "never"),
        when(t.expiresAt, "never"),
      ]);
      io.stdout(
        rows.length === 0
          ? "No API tokens.\n"
          : formatTable(["ID", "NAME", "CREATED BY", "CREATED", "LAST USED", "EXPIRES"], rows),
      );
    });

  withConnectionOptions(group.command("delete").description("revoke an API token"))
    .argument("<id>", "token id")
    .action(async (id: string, options: ConnectionOptions) => {
      await clientFor(io, options).delete(`/apiTokens/${pathId(id)}`);
      io.stdout(`Revoked API token "${id}".\n`);
    });
};
