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
  printJson,
  text,
  withConnectionOptions,
} from "./common.ts";

type JsonFlag = ConnectionOptions & { json?: boolean | undefined };

const members = (group: JsonObject): string[] =>
  Array.isArray(group.members) ? group.members.filter((m) => typeof m === "string") : [];

const membersText = (group: JsonObject): string =>
  members(group).length === 0 ? "no members" : `members: ${members(group).join(", ")}`;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export const registerGroupCommands = (program: Command, io: CliIo): void => {
  const group = commandGroup(program, "groups", "manage groups of the built-in directory");

  withConnectionOptions(group.command("add").description("create a group"))
    .argument("<cn>", "the group's name (letters, digits, spaces, . _ @ -)")
    .option("--description <text>", "what the group is for")
    .option("--member <uid>", "an existing user; repeatable", collect)
    .option("--json", "print the API's JSON")
    .action(
      async (
        cn: string,
        options: JsonFlag & { description?: string | undefined; member?: string[] | undefined },
      ) => {
        const created = await clientFor(io, options).post<JsonObject>("/directory/groups", {
          cn,
          ...(options.description === undefined ? {} : { description: options.description }),
          members: options.member ?? [],
        });
        if (options.json) return printJson(io, created);
        io.stdout(`Created group "${text(created.cn)}" (${membersText(created)}).\n`);
      },
    );

  withConnectionOptions(group.command("list").description("list groups"))
    .option("--json", "print the API's JSON")
    .action(async (options: JsonFlag) => {
      const response = await clientFor(io, options).get("/directory/groups");
      if (options.json) return printJson(io, response);
      const rows = items(response).map((g) => [text(g.cn), text(g.description), String(members(g).length)]);
      io.stdout(rows.length === 0 ? "No groups.\n" : formatTable(["CN", "DESCRIPTION", "MEMBERS"], rows));
    });

  withConnectionOptions(group.command("get").description("show a group and its members"))
    .argument("<cn>", "the group's cn")
    .option("--json", "print the API's JSON")
    .action(async (cn: string, options: JsonFlag) => {
      const found = await clientFor(io, options).get<JsonObject>(`/directory/groups/${pathId(cn)}`);
      if (options.json) return printJson(io, found);
      io.stdout(
        [
          `cn:          ${text(found.cn)}`,
          `description: ${text(found.description)}`,
          `members:     ${members(found).join(", ") || "-"}`,
          "",
        ].join("\n"),
      );
    });

  withConnectionOptions(group.command("delete").description("delete a group (its members stay)"))
    .argument("<cn>", "the group's cn")
    .action(async (cn: string, options: ConnectionOptions) => {
      await clientFor(io, options).delete(`/directory/groups/${pathId(cn)}`);
      io.stdout(`Deleted group "${cn}".\n`);
    });

  withConnectionOptions(group.command("add-member").description("add a user to a group"))
    .argument("<cn>", "the group's cn")
    .argument("<uid>", "the user's uid")
    .action(async (cn: string, uid: string, options: ConnectionOptions) => {
      const changed = await clientFor(io, options).put<JsonObject>(
        `/directory/groups/${pathId(cn)}/members/${pathId(uid)}`,
        {},
      );
      io.stdout(`Group "${text(changed.cn)}" now has ${membersText(changed)}.\n`);
    });

  withConnectionOptions(group.command("remove-member").description("remove a user from a group"))
    .argument("<cn>", "the group's cn")
    .argument("<uid>", "the user's uid")
    .action(async (cn: string, uid: string, options: ConnectionOptions) => {
      await clientFor(io, options).delete(`/directory/groups/${pathId(cn)}/members/${pathId(uid)}`);
      io.stdout(`Removed "${uid}" from group "${cn}".\n`);
    });
};
