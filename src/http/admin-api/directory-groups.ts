import type { ServiceContext } from "../../services/context.ts";
import {
  addGroupMember,
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  removeGroupMember,
  updateGroup,
} from "../../services/directory/groups.ts";
import { CnParams, GroupBody, GroupPatch, GroupView, MemberParams } from "./directory-schemas.ts";
import { adminApiBase, principalOf } from "./principal.ts";
import { Items, problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

/** The built-in directory's groups: `/directory/groups[/{cn}]` and their members. */

const groupLocation = (cn: string) => `${adminApiBase}/directory/groups/${encodeURIComponent(cn)}`;

export const directoryGroupRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    const tags = ["Directory"];
    api.get(
      "/directory/groups",
      { schema: { tags, summary: "List groups", response: { 200: Items(GroupView), ...problems } } },
      async () => ({ items: await listGroups(context) }),
    );

    api.post(
      "/directory/groups",
      {
        schema: {
          tags,
          summary: "Create a group",
          body: GroupBody,
          response: { 201: GroupView, ...problems },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const created = await createGroup(context, principalOf(request), {
          cn: body.cn,
          description: body.description,
          members: body.members,
        });
        reply.status(201).header("Location", groupLocation(created.cn));
        return created;
      },
    );

    api.get(
      "/directory/groups/:cn",
      { schema: { tags, summary: "One group", params: CnParams, response: { 200: GroupView, ...problems } } },
      async (request) => getGroup(context, request.params.cn),
    );

    api.patch(
      "/directory/groups/:cn",
      {
        schema: {
          tags,
          summary: "Change a group's description or replace its members",
          params: CnParams,
          body: GroupPatch,
          response: { 200: GroupView, ...problems },
        },
      },
      async (request) => {
        const body = request.body;
        return updateGroup(context, principalOf(request), request.params.cn, {
          cn: body.cn,
          description: body.description,
          members: body.members,
        });
      },
    );

    api.delete(
      "/directory/groups/:cn",
      { schema: { tags, summary: "Delete a group (its members stay)", params: CnParams } },
      async (request, reply) => {
        await deleteGroup(context, principalOf(request), request.params.cn);
        reply.status(204).send();
      },
    );

    api.put(
      "/directory/groups/:cn/members/:uid",
      {
        schema: {
          tags,
          summary: "Add a member",
          params: MemberParams,
          response: { 200: GroupView, ...problems },
        },
      },
      async (request) => {
        const { cn, uid } = request.params;
        return addGroupMember(context, principalOf(request), cn, uid);
      },
    );

    api.delete(
      "/directory/groups/:cn/members/:uid",
      {
        schema: {
          tags,
          summary: "Remove a member",
          params: MemberParams,
          response: { 200: GroupView, ...problems },
        },
      },
      async (request) => {
        const { cn, uid } = request.params;
        return removeGroupMember(context, principalOf(request), cn, uid);
      },
    );
  };
