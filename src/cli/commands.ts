import type { Command } from "commander";
import { registerConfigCommands } from "./commands/config.ts";
import { registerConnectionCommands } from "./commands/connections.ts";
import { registerDataStoreCommands } from "./commands/datastores.ts";
import { registerGroupCommands } from "./commands/groups.ts";
import { registerKeyCommands } from "./commands/keys.ts";
import { registerMasterKeyCommands } from "./commands/master-key.ts";
import { registerMetadataCommands } from "./commands/metadata.ts";
import { registerProvisionCommands } from "./commands/provision.ts";
import { registerSsoCommands } from "./commands/sso.ts";
import { registerTokenCommands } from "./commands/tokens.ts";
import { registerUserCommands } from "./commands/users.ts";
import { registerValidatorCommands } from "./commands/validators.ts";
import type { CliIo } from "./io.ts";

/**
 * The commands that talk to a running server's admin API. Each takes --url, --user, --password
 * and --token (or PORTICO_ADMIN_URL, PORTICO_ADMIN_USER, PORTICO_ADMIN_PASSWORD, PORTICO_API_TOKEN).
 */
export const registerClientCommands = (program: Command, io: CliIo): void => {
  registerConnectionCommands(program, io);
  registerDataStoreCommands(program, io);
  registerValidatorCommands(program, io);
  registerMetadataCommands(program, io);
  registerKeyCommands(program, io);
  registerConfigCommands(program, io);
  registerTokenCommands(program, io);
  registerMasterKeyCommands(program, io);
  registerUserCommands(program, io);
  registerGroupCommands(program, io);
  registerSsoCommands(program, io);
  registerProvisionCommands(program, io);
};
