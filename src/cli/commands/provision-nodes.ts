import type { Command } from "commander";
import type { CliIo } from "../io.ts";
import { formatTable } from "../table.ts";
import {
  type ConnectionOptions,
  clientFor,
  isObject,
  items,
  type JsonObject,
  printJson,
  text,
  withConnectionOptions,
} from "./common.ts";

const indexText = (value: unknown) => (typeof value === "number" ? String(value) : "(none)");

/** `portico provision nodes`: provmgr's `--show-nodes`, from `GET /provisioning/nodes`. */
export const registerProvisionNodeCommands = (group: Command, io: CliIo): void => {
  withConnectionOptions(
    group
      .command("nodes")
      .description("the nodes of the cluster: index, status, role (active or standby), last heartbeat"),
  )
    .option("--json", "print the API's JSON")
    .action(async (options: ConnectionOptions & { json?: boolean }) => {
      const view = await clientFor(io, options).get<JsonObject>("/provisioning/nodes");
      if (options.json) return printJson(io, view);
      const rows = items(view).map((n) => [
        `${indexText(n.nodeIndex)}${n.self === true ? " *" : ""}`,
        `${text(n.host)}:${text(n.pid)}`,
        text(n.status),
        text(n.role),
        text(n.lastHeartbeatAt),
        (Array.isArray(n.channels) ? n.channels.filter(isObject) : [])
          .map((c) => `${text(c.connectionId)}/${text(c.channel)}`)
          .join(", "),
      ]);
      const mode = `${text(view.mode)}${view.mode === "STANDALONE" ? ` (node ${indexText(view.nodeIndex)})` : ""}`;
      io.stdout(
        `mode ${mode}, grace period ${text(view.failoverGracePeriod)} s (* this node)\n` +
          (rows.length === 0
            ? "No node has sent a heartbeat yet.\n"
            : formatTable(["NODE", "PROCESS", "STATUS", "ROLE", "LAST HEARTBEAT", "CHANNELS"], rows)),
      );
    });
};
