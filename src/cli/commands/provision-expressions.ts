import type { Command } from "commander";
import type { CliIo } from "../io.ts";
import {
  type ConnectionOptions,
  clientFor,
  isObject,
  type JsonObject,
  printJson,
  readText,
  usageError,
  withConnectionOptions,
} from "./common.ts";

/**
 * `portico provision expression <expression> --subject <uid>`: an expression of Portico's
 * language (docs/expressions.md) tried on one directory user, through
 * `POST /provisioning/expressions/test`. A parse error prints its code, the position and the caret.
 */

type Flags = ConnectionOptions & { subject: string; file?: string | undefined; json?: boolean | undefined };

const valuesText = (values: unknown): string => {
  const list = Array.isArray(values) ? values.map(String) : [];
  return list.length === 0 ? "(no value)" : list.map((v) => JSON.stringify(v)).join(", ");
};

export const registerProvisionExpressionCommands = (group: Command, io: CliIo): void => {
  withConnectionOptions(
    group
      .command("expression")
      .description("evaluate an expression (docs/expressions.md) for one directory user; writes nothing"),
  )
    .argument("[expression]", "the expression, e.g. 'Left([uid], 8)' (or --file)")
    .requiredOption("--subject <uid>", "the directory user")
    .option("--file <file>", "read the expression from a file (- for standard input)")
    .option("--json", "print the API's JSON")
    .action(async (given: string | undefined, options: Flags) => {
      if ((given === undefined) === (options.file === undefined))
        throw usageError("give the expression as an argument or with --file, not both");
      const expression = given ?? (await readText(io, options.file ?? "-")).replace(/\r?\n$/, "");
      const result = (await clientFor(io, options).post("/provisioning/expressions/test", {
        expression,
        subject: options.subject,
      })) as JsonObject;
      if (options.json) return printJson(io, result);
      const sources = (Array.isArray(result.sources) ? result.sources.filter(isObject) : []).map(
        (s) => `  [${String(s.attribute)}] = ${valuesText(s.values)}\n`,
      );
      io.stdout(`${sources.join("")}${valuesText(result.values)}\n`);
    });
};
