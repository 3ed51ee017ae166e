import { userInfo } from "node:os";
import type { Command } from "commander";
import { composeLocal } from "../../compose.ts";
import { loadConfig } from "../../config/loader.ts";
import { generateAdminPassword } from "../../services/bootstrap.ts";
import type { Actor } from "../../services/context.ts";
import { resetAdminPassword } from "../../services/reset-admin-password.ts";
import type { CliIo } from "../io.ts";
import { commandGroup, usageError } from "./common.ts";

/** Who ran a local command, for the audit log: the operating-system account. */
const localActor = (): Actor => {
  try {
    return { name: `local:${userInfo().username}`, kind: "system" };
  } catch {
    return { name: "local", kind: "system" };
  }
};

/**
 * `portico admin …`: commands that work on this machine's data dir or database, with the same
 * configuration as `serve`, and need neither a running server nor a password.
 */
export const registerAdminCommands = (program: Command, io: CliIo): void => {
  const group = commandGroup(program, "admin", "work on the local installation, without the admin API");
  group
    .command("reset-password")
    .description(
      "set an admin account's password and lift its sign-in lockout, directly in the data dir or database (the server may be running)",
    )
    .argument("[username]", "the admin account", "admin")
    .option(
      "--password-stdin",
      "read the new password from standard input (otherwise one is generated and printed)",
    )
    .option("--config <file>", "a JSON file of PORTICO_* settings, as for serve (the environment wins)")
    .action(async (username: string, options: { passwordStdin?: boolean; config?: string }) => {
      const config = loadConfig({ env: io.env, cwd: io.cwd, file: options.config });
      const chosen = options.passwordStdin ? (await io.readStdin()).replace(/\r?\n$/, "") : undefined;
      if (chosen === "") throw usageError("standard input held no password");
      const password = chosen ?? generateAdminPassword();
      const local = await composeLocal(config);
      try {
        await resetAdminPassword(local.context, localActor(), { username, password });
      } finally {
        await local.close();
      }
      const lines = [`Reset the password of the admin account "${username}" and lifted its sign-in lockout.`];
      if (chosen === undefined) lines.push(`New password: ${password}`, "(shown this once)");
      lines.push("A running server may accept the old password for up to a minute more.");
      io.stdout(`${lines.join("\n")}\n`);
    });
};
