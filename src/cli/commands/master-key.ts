import type { Command } from "commander";
import { AppError } from "../../lib/errors.ts";
import type { CliIo } from "../io.ts";
import {
  type ConnectionOptions,
  clientFor,
  commandGroup,
  isObject,
  printJson,
  text,
  withConnectionOptions,
} from "./common.ts";

type JsonFlag = ConnectionOptions & { json?: boolean | undefined };

const counts = (value: unknown): string =>
  isObject(value) && Object.keys(value).length > 0
    ? Object.entries(value)
        .map(([k, n]) => `${k}: ${text(n)}`)
        .join(", ")
    : "none";

/** `portico master-key status|reseal`: master-key rotation (README "Rotate the master key"). */
export const registerMasterKeyCommands = (program: Command, io: CliIo): void => {
  const group = commandGroup(program, "master-key", "rotate the master key that seals stored secrets");

  withConnectionOptions(
    group
      .command("status")
      .description("the current key's id, and stored secrets by the key that sealed them"),
  )
    .option("--json", "print the API's JSON")
    .action(async (options: JsonFlag) => {
      const status = await clientFor(io, options).get("/serverSettings/masterKey");
      if (options.json) return printJson(io, status);
      const body = isObject(status) ? status : {};
      io.stdout(`Current master key: ${text(body.keyId)}\nSealed values by key: ${counts(body.byKeyId)}\n`);
    });

  withConnectionOptions(
    group
      .command("reseal")
      .description("seal again under the current key every secret a previous key sealed"),
  )
    .option("--json", "print the API's JSON")
    .action(async (options: JsonFlag) => {
      const report = await clientFor(io, options).post("/serverSettings/masterKey/reseal", {});
      if (options.json) return printJson(io, report);
      const body = isObject(report) ? report : {};
      const unreadable = Array.isArray(body.unreadable) ? body.unreadable.map((u) => text(u)) : [];
      io.stdout(
        `Re-sealed: ${counts(body.resealed)}\nSealed values by key: ${counts(body.byKeyId)} (current: ${text(body.keyId)})\n`,
      );
      if (unreadable.length > 0)
        throw new AppError("CRYPTO_DECRYPT_FAILED", {
          message: `No configured master key opens: ${unreadable.join("; ")}. Add the key that sealed them to PORTICO_MASTER_KEY_PREVIOUS and run reseal again.`,
        });
    });
};
