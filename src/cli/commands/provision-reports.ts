import { type Command, InvalidArgumentError, Option } from "commander";
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
  usageError,
  withConnectionOptions,
} from "./common.ts";

/**
 * `portico provision events|fields|settings`: the events log (a table, or JSON, or every
 * matching event as CSV or JSON Lines, streamed to standard output), Salesforce's fields of a
 * connection, and the server-wide schedule and safety net.
 */

type JsonFlag = ConnectionOptions & { json?: boolean | undefined };

type EventFlags = JsonFlag & {
  connection?: string;
  channel?: string;
  subject?: string;
  type?: string;
  failed?: boolean;
  succeeded?: boolean;
  since?: string;
  limit?: number;
  format?: "table" | "json" | "csv" | "jsonl";
};

const wholeNumber = (max: number) => (value: string) => {
  if (!/^[0-9]{1,9}$/.test(value) || Number(value) > max)
    throw new InvalidArgumentError(`It must be a whole number from 0 to ${String(max)}.`);
  return Number(value);
};

const eventQuery = (options: EventFlags, format: string): string => {
  if (options.failed === true && options.succeeded === true)
    throw usageError("--failed and --succeeded exclude each other");
  const query = new URLSearchParams();
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined) query.set(name, value);
  };
  add("connectionId", options.connection);
  add("channel", options.channel);
  add("user", options.subject);
  add("type", options.type?.toUpperCase());
  add("success", options.failed === true ? "false" : options.succeeded === true ? "true" : undefined);
  add("since", options.since);
  add("limit", options.limit === undefined ? undefined : String(options.limit));
  add("format", format);
  return query.toString();
};

/** A few of a picklist's values, so the table stays readable (`--json` has them all). */
const picklistText = (values: string[]) =>
  values.length <= 5
    ? values.join("; ")
    : `${values.slice(0, 5).join("; ")}; … (${String(values.length)} values)`;

const fieldRows = (object: string, fields: unknown): string[][] =>
  (Array.isArray(fields) ? fields.filter(isObject) : []).map((f) => [
    object,
    text(f.name),
    text(f.type),
    f.required === true ? "yes" : "",
    f.custom === true ? "yes" : "",
    Array.isArray(f.picklistValues) ? picklistText(f.picklistValues.map(String)) : "",
  ]);

const printFieldReport = (io: CliIo, report: JsonObject) => {
  const fields = isObject(report.fields) ? report.fields : {};
  const rows = [...fieldRows("User", fields.User), ...fieldRows("Contact", fields.Contact)];
  const channels = Array.isArray(report.channels) ? report.channels.filter(isObject) : [];
  const notes = channels.flatMap((c) => {
    const problems = Array.isArray(c.problems) ? c.problems.filter(isObject) : [];
    const head = `channel ${text(c.name)}${c.active === true ? "" : " (inactive)"}: `;
    return problems.length === 0
      ? [`${head}its mapping fits these fields`]
      : problems.map((p) => `${head}${text(p.field, "")}: ${text(p.message)}`);
  });
  io.stdout(
    `Salesforce's fields as fetched at ${text(report.fetchedAt)}:\n` +
      formatTable(["OBJECT", "FIELD", "TYPE", "REQUIRED", "CUSTOM", "PICKLIST VALUES"], rows) +
      (notes.length > 0 ? `\n${notes.join("\n")}\n` : ""),
  );
};

export const registerProvisionReportCommands = (group: Command, io: CliIo): void => {
  withConnectionOptions(
    group
      .command("events")
      .description("the provisioning events, newest first; CSV or JSON Lines exports every match"),
  )
    .option("--connection <id>", "only this SP connection")
    .option("--channel <name>", "only this channel")
    .option("--subject <uid>", "only this directory user (--user is the admin account)")
    .option("--type <type>", "only this event type (CREATE, UPDATE, DEACTIVATE, …)")
    .option("--failed", "only failed operations")
    .option("--succeeded", "only successful operations")
    .option("--since <date>", "at or after this date or ISO 8601 timestamp")
    .option("--limit <n>", "at most this many (table and json: default 100, at most 1000)", positiveInteger)
    .addOption(
      new Option("--format <format>", "how to print them")
        .choices(["table", "json", "csv", "jsonl"])
        .default("table"),
    )
    .option("--json", "the same as --format json")
    .action(async (options: EventFlags) => {
      const format = options.json === true ? "json" : (options.format ?? "table");
      const client = clientFor(io, options);
      if (format === "csv" || format === "jsonl") {
        await client.long("GET", `/provisioning/events?${eventQuery(options, format)}`, undefined, io.stdout);
        return;
      }
      const page = await client.get(`/provisioning/events?${eventQuery(options, "json")}`);
      if (format === "json") return printJson(io, page);
      const events = items(page);
      if (events.length === 0) return io.stdout("No provisioning events match.\n");
      const rows = events.map((e) => [
        text(e.at),
        `${text(e.connectionId)}/${text(e.channel)}`,
        text(e.type),
        text(e.sourceId),
        text(e.targetId),
        e.success === true ? "yes" : "NO",
        text(e.cause, ""),
      ]);
      const more =
        isObject(page) && typeof page.next === "number"
          ? "(more: raise --limit, or export with --format csv)\n"
          : "";
      io.stdout(formatTable(["AT", "CHANNEL", "TYPE", "SOURCE", "TARGET", "OK", "CAUSE"], rows) + more);
    });

  withConnectionOptions(
    group
      .command("fields")
      .description(
        "Salesforce's User (and Contact) fields of a connection, and what each channel's mapping lacks",
      ),
  )
    .argument("<connectionId>", "SP connection id")
    .option("--refresh", "read them from Salesforce now (Refresh Fields)")
    .option("--json", "print the API's JSON")
    .action(async (connectionId: string, options: JsonFlag & { refresh?: boolean }) => {
      const client = clientFor(io, options);
      const path = `/provisioning/connections/${pathId(connectionId)}`;
      const report =
        options.refresh === true
          ? await client.post<JsonObject>(`${path}/refreshFields`, undefined)
          : await client.get<JsonObject>(`${path}/fields`);
      if (options.json) return printJson(io, report);
      printFieldReport(io, report);
    });

  withConnectionOptions(
    group
      .command("settings")
      .description(
        "the provisioning schedule and the safety net against mass deactivation; flags change them",
      ),
  )
    .option("--frequency <seconds>", "seconds between cycles (synchronizationFrequency)", positiveInteger)
    .option("--full-frequency <seconds>", "seconds between full passes", positiveInteger)
    .option("--hold-minimum <n>", "deactivations an hour always allowed", wholeNumber(1_000_000))
    .option("--hold-percent <n>", "or this share of a channel's users, when more", wholeNumber(100))
    .addOption(
      new Option("--mode <mode>", "which nodes provision (PingFederate's pf.provisioner.mode)").choices([
        "OFF",
        "STANDALONE",
        "FAILOVER",
      ]),
    )
    .option(
      "--node-index <n>",
      "STANDALONE: the PORTICO_NODE_INDEX of the node that provisions",
      positiveInteger,
    )
    .option("--grace-period <seconds>", "FAILOVER: seconds before a standby takes over", positiveInteger)
    .option("--json", "print the API's JSON")
    .action(
      async (
        options: JsonFlag & {
          frequency?: number;
          fullFrequency?: number;
          holdMinimum?: number;
          holdPercent?: number;
          mode?: string;
          nodeIndex?: number;
          gracePeriod?: number;
        },
      ) => {
        const client = clientFor(io, options);
        const path = "/serverSettings/outboundProvisioning";
        let settings = await client.get<JsonObject>(path);
        const cluster = {
          ...(options.mode === undefined ? {} : { mode: options.mode }),
          ...(options.nodeIndex === undefined ? {} : { nodeIndex: options.nodeIndex }),
          ...(options.gracePeriod === undefined ? {} : { failoverGracePeriod: options.gracePeriod }),
        };
        const changes = [
          options.frequency,
          options.fullFrequency,
          options.holdMinimum,
          options.holdPercent,
          ...Object.values(cluster),
        ];
        if (changes.some((c) => c !== undefined)) {
          const hold = isObject(settings.deprovisionHold) ? settings.deprovisionHold : {};
          settings = await client.put<JsonObject>(path, {
            ...settings,
            ...cluster,
            ...(options.frequency === undefined ? {} : { synchronizationFrequency: options.frequency }),
            ...(options.fullFrequency === undefined
              ? {}
              : { fullSynchronizationFrequency: options.fullFrequency }),
            deprovisionHold: {
              ...hold,
              ...(options.holdMinimum === undefined ? {} : { minimum: options.holdMinimum }),
              ...(options.holdPercent === undefined ? {} : { percent: options.holdPercent }),
            },
          });
        }
        if (options.json) return printJson(io, settings);
        const hold = isObject(settings.deprovisionHold) ? settings.deprovisionHold : {};
        io.stdout(
          [
            `synchronization frequency       ${text(settings.synchronizationFrequency)} s`,
            `full synchronization frequency  ${text(settings.fullSynchronizationFrequency)} s`,
            `mode                            ${text(settings.mode)}${settings.mode === "STANDALONE" ? ` (node ${typeof settings.nodeIndex === "number" ? settings.nodeIndex : "without PORTICO_NODE_INDEX"})` : ""}`,
            `failover grace period           ${text(settings.failoverGracePeriod)} s`,
            `deactivations held past         max(${text(hold.minimum, "0")}, ${text(hold.percent, "0")}% of a channel's users) within an hour`,
            "",
          ].join("\n"),
        );
      },
    );
};
