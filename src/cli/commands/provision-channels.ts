import type { Command } from "commander";
import { AppError } from "../../lib/errors.ts";
import type { AdminClient } from "../client.ts";
import type { CliIo } from "../io.ts";
import { formatTable } from "../table.ts";
import {
  type ConnectionOptions,
  clientFor,
  isObject,
  items,
  type JsonObject,
  pathId,
  positiveInteger,
  printJson,
  text,
  withConnectionOptions,
} from "./common.ts";
import { channelLabel, countsText, cycleLines, pairsText, stepLines } from "./provision-format.ts";

/**
 * `portico provision status|run|retry|confirm|reset|preview|user`: the channels, and the
 * operator's actions on one. A waited-for cycle shows its progress on standard error (read from
 * `GET /provisioning/channels` every second), so standard output keeps only the result.
 */

type JsonFlag = ConnectionOptions & { json?: boolean | undefined };
type RunFlags = JsonFlag & { full?: boolean | undefined; wait?: boolean | undefined };

const channelPath = (connectionId: string, channel: string) =>
  `/provisioning/connections/${pathId(connectionId)}/channels/${pathId(channel)}`;

/** A POST that may run long (a cycle, a preview of every user), its JSON answer parsed. */
const postLong = async (client: AdminClient, path: string, body?: unknown): Promise<JsonObject> =>
  JSON.parse(await client.long("POST", path, body)) as JsonObject;

const confirmHint = (connectionId: string, channel: string) =>
  `portico provision confirm ${connectionId} ${channel}`;

/**
 * Prints the channel's progress to standard error each second while `work` runs, when it changed.
 * Polls never overlap, and nothing is printed once `work` has ended.
 */
const withProgress = async <T>(
  io: CliIo,
  client: AdminClient,
  connectionId: string,
  channel: string,
  work: Promise<T>,
): Promise<T> => {
  let done = false;
  let polling = false;
  let last = "";
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const found = items(await client.get("/provisioning/channels")).find(
        (c) => c.connectionId === connectionId && c.channelName === channel,
      );
      const progress = isObject(found?.progress) ? found.progress : undefined;
      if (done || progress === undefined) return;
      const line = `${channelLabel(connectionId, channel)}: running since ${text(progress.startedAt)}; so far ${countsText(progress.counts)}`;
      if (line !== last) io.stderr(`${line}\n`);
      last = line;
    } catch {
      // Progress is a courtesy: a failed poll must not fail the run, which reports for itself.
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), 1000);
  try {
    return await work;
  } finally {
    done = true;
    clearInterval(timer);
  }
};

/**
 * A waited-for cycle that did not end IDLE fails the command, so scripts notice: HELD exits 3
 * (CLI_CYCLE_HELD), ERROR and STOPPED exit 1 (CLI_CYCLE_FAILED), each with one line on standard
 * error after the usual output.
 */
const failUnlessIdle = (connectionId: string, channel: string, result: JsonObject): void => {
  const state = isObject(result.state) ? result.state : {};
  const status = text(state.status);
  if (status === "IDLE") return;
  const reason = typeof state.statusReason === "string" ? `: ${state.statusReason}` : "";
  throw new AppError(status === "HELD" ? "CLI_CYCLE_HELD" : "CLI_CYCLE_FAILED", {
    message: `${channelLabel(connectionId, channel)}: the cycle ended ${status}${reason}`,
  });
};

export const registerProvisionChannelCommands = (group: Command, io: CliIo): void => {
  withConnectionOptions(group.command("status").description("where every provisioning channel stands"))
    .option("--json", "print the API's JSON")
    .action(async (options: JsonFlag) => {
      const response = await clientFor(io, options).get("/provisioning/channels");
      if (options.json) return printJson(io, response);
      const channels = items(response);
      if (channels.length === 0) return io.stdout("No provisioning channels.\n");
      const rows = channels.map((c) => {
        const users = isObject(c.users) ? c.users : {};
        const last = isObject(c.lastCycle) ? c.lastCycle : {};
        return [
          text(c.connectionId),
          text(c.channelName),
          c.active === true ? "yes" : "no",
          c.running === true ? "RUNNING" : text(c.state),
          last.endedAt === undefined ? "-" : `${text(last.endedAt)} ${text(last.kind)}`,
          last.counts === undefined ? "-" : countsText(last.counts),
          text(users.ACTIVE, "0"),
          text(users.FAILED, "0"),
          text(c.watermark),
        ];
      });
      const notes = channels.flatMap((c) => {
        const label = channelLabel(c.connectionId, c.channelName);
        const progress = isObject(c.progress) ? c.progress : undefined;
        const error = isObject(c.lastError) ? c.lastError : undefined;
        return [
          ...(typeof c.stateReason === "string" ? [`${label}: ${c.stateReason}`] : []),
          ...(c.state === "HELD"
            ? [`${label}: waits for confirmation: ${confirmHint(text(c.connectionId), text(c.channelName))}`]
            : []),
          ...(progress ? [`${label}: running; so far ${countsText(progress.counts)}`] : []),
          ...(error ? [`${label}: last run failed: ${text(error.code)}: ${text(error.message)}`] : []),
        ];
      });
      io.stdout(
        formatTable(
          [
            "CONNECTION",
            "CHANNEL",
            "ACTIVE",
            "STATE",
            "LAST CYCLE",
            "LAST RESULT",
            "ACTIVE USERS",
            "FAILED",
            "WATERMARK",
          ],
          rows,
        ) + (notes.length > 0 ? `\n${notes.join("\n")}\n` : ""),
      );
    });

  for (const [name, description, retryFailed] of [
    ["run", "run a cycle of a channel now, and show how it went", false],
    ["retry", "run a cycle now that tries the channel's failed users again", true],
  ] as const) {
    const command = withConnectionOptions(group.command(name).description(description))
      .argument("<connectionId>", "SP connection id")
      .argument("<channel>", "channel name");
    if (!retryFailed) command.option("--full", "a full pass, which finds deletions and drift");
    command
      .option("--no-wait", "start the cycle and return; `provision status` shows how it goes")
      .option("--json", "print the API's JSON (progress still goes to standard error)")
      .action(async (connectionId: string, channel: string, options: RunFlags) => {
        const client = clientFor(io, options);
        const path = `${channelPath(connectionId, channel)}/${name}`;
        const wait = options.wait !== false;
        const body = { wait, ...(options.full === true ? { full: true } : {}) };
        if (!wait) {
          const accepted = await client.post(path, body);
          if (options.json) return printJson(io, accepted);
          return io.stdout(
            `${channelLabel(connectionId, channel)}: cycle started; \`portico provision status\` shows how it goes.\n`,
          );
        }
        const parsed = await withProgress(io, client, connectionId, channel, postLong(client, path, body));
        if (options.json) printJson(io, parsed);
        else
          io.stdout(
            cycleLines(channelLabel(connectionId, channel), parsed, confirmHint(connectionId, channel)),
          );
        failUnlessIdle(connectionId, channel, parsed);
      });
  }

  withConnectionOptions(
    group.command("confirm").description("let a channel's held deactivations through, and run the cycle"),
  )
    .argument("<connectionId>", "SP connection id")
    .argument("<channel>", "channel name")
    .option("--json", "print the API's JSON")
    .action(async (connectionId: string, channel: string, options: JsonFlag) => {
      const client = clientFor(io, options);
      const path = `${channelPath(connectionId, channel)}/confirm`;
      const parsed = await withProgress(io, client, connectionId, channel, postLong(client, path));
      if (options.json) printJson(io, parsed);
      else
        io.stdout(
          cycleLines(channelLabel(connectionId, channel), parsed, confirmHint(connectionId, channel)),
        );
      failUnlessIdle(connectionId, channel, parsed);
    });

  withConnectionOptions(
    group
      .command("reset")
      .description(
        "forget a channel's state (watermark, Salesforce ids, what was pushed), like provmgr's reset",
      ),
  )
    .argument("<connectionId>", "SP connection id")
    .argument("<channel>", "channel name")
    .option("--json", "print the result as JSON")
    .action(async (connectionId: string, channel: string, options: JsonFlag) => {
      await clientFor(io, options).post(`${channelPath(connectionId, channel)}/reset`, undefined);
      if (options.json) return printJson(io, { reset: true, connectionId, channel });
      io.stdout(
        `${channelLabel(connectionId, channel)}: state forgotten; the next cycle is a full pass that adopts existing Salesforce users.\n`,
      );
    });

  withConnectionOptions(
    group
      .command("preview")
      .description("the plan of a channel's next cycle, field by field; writes nothing to Salesforce"),
  )
    .argument("<connectionId>", "SP connection id")
    .argument("<channel>", "channel name")
    .option("--full", "preview a full pass")
    // --user is the admin account on every command, as `sso test` has it.
    .option("--subject <uid>", "only what this directory user would become in Salesforce")
    .option("--limit <n>", "operations listed (all are counted)", positiveInteger)
    .option("--json", "print the API's JSON")
    .action(
      async (
        connectionId: string,
        channel: string,
        options: JsonFlag & { full?: boolean; subject?: string; limit?: number },
      ) => {
        const parsed = await postLong(
          clientFor(io, options),
          `${channelPath(connectionId, channel)}/preview`,
          {
            ...(options.full === true ? { full: true } : {}),
            ...(options.subject === undefined ? {} : { user: options.subject }),
            ...(options.limit === undefined ? {} : { limit: options.limit }),
          },
        );
        if (options.json) return printJson(io, parsed);
        const label = channelLabel(connectionId, channel);
        if (parsed.kind === "user") {
          return io.stdout(
            `Preview of ${text(options.subject)} on ${label} (nothing is written):\n${stepLines(parsed.steps)}`,
          );
        }
        const operations = Array.isArray(parsed.operations) ? parsed.operations.filter(isObject) : [];
        const total = typeof parsed.total === "number" ? parsed.total : operations.length;
        const head = `Preview of ${label} (${text(parsed.kind)} cycle; nothing is written): ${String(total)} operation(s): ${countsText(parsed.counts)}; ${text(parsed.held, "0")} deactivation(s) would be held\n`;
        if (operations.length === 0) return io.stdout(head);
        const rows = operations.map((op) => {
          const { type, sourceId, username, ...rest } = op;
          return [text(type), text(sourceId), text(username), pairsText(rest)];
        });
        io.stdout(
          `${head}${formatTable(["TYPE", "SOURCE", "USERNAME", "DETAIL"], rows)}${
            total > operations.length
              ? `(${String(total - operations.length)} more not listed; see --limit)\n`
              : ""
          }`,
        );
      },
    );

  withConnectionOptions(group.command("user").description("provision one user now, showing each step"))
    .argument("<connectionId>", "SP connection id")
    .argument("<channel>", "channel name")
    .argument("<uid>", "the directory user")
    .option("--json", "print the API's JSON")
    .action(async (connectionId: string, channel: string, uid: string, options: JsonFlag) => {
      const parsed = await postLong(
        clientFor(io, options),
        `${channelPath(connectionId, channel)}/provisionUser`,
        {
          user: uid,
        },
      );
      if (options.json) return printJson(io, parsed);
      io.stdout(stepLines(parsed.steps));
    });
};
