import type { Command } from "commander";
import type { CliIo } from "../io.ts";
import { commandGroup } from "./common.ts";
import { registerProvisionChannelCommands } from "./provision-channels.ts";
import { registerProvisionExpressionCommands } from "./provision-expressions.ts";
import { registerProvisionNodeCommands } from "./provision-nodes.ts";
import { registerProvisionReportCommands } from "./provision-reports.ts";
import { registerProvisionTargetCommands } from "./provision-target.ts";

/** `portico provision …`: outbound provisioning. Each area adds its subcommands to the one group. */
export const registerProvisionCommands = (program: Command, io: CliIo): void => {
  const group = commandGroup(program, "provision", "provision users into Salesforce");
  registerProvisionTargetCommands(group, io);
  registerProvisionChannelCommands(group, io);
  registerProvisionReportCommands(group, io);
  registerProvisionExpressionCommands(group, io);
  registerProvisionNodeCommands(group, io);
};
