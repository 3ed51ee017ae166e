import type { ServiceContext } from "../../services/context.ts";
import { importCsv } from "../../services/directory/import.ts";
import {
  createUser,
  deleteUser,
  disableUser,
  enableUser,
  getUser,
  listUsers,
  setPassword,
  updateUser,
} from "../../services/directory/users.ts";
import {
  attributesOf,
  ImportBody,
  ImportResult,
  ListQuery,
  PasswordBody,
  UidParams,
  UserBody,
  UserPatch,
  UserView,
} from "./directory-schemas.ts";
import { adminApiBase, principalOf } from "./principal.ts";
import { Items, problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

/** The built-in directory's users: `/directory/users[/{uid}]`, and CSV imports of them. */

const userLocation = (uid: string) => `${adminApiBase}/directory/users/${encodeURIComponent(uid)}`;

export const directoryRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    // CSV imports may come as text/csv; registered here, so only these routes accept it.
    api.addContentTypeParser("text/csv", { parseAs: "string" }, (_request, body, done) => done(null, body));

    const tags = ["Directory"];
    api.get(
      "/directory/users",
      {
        schema: {
          tags,
          summary: "List users in uid order, a page at a time",
          querystring: ListQuery,
          response: { 200: Items(UserView), ...problems },
        },
      },
      async (request) => {
        const query = request.query;
        return {
          items: await listUsers(context, {
            limit: query.limit === undefined ? undefined : Number(query.limit),
            after: query.after,
            filter: query.filter,
          }),
        };
      },
    );

    api.post(
      "/directory/users",
      {
        schema: { tags, summary: "Create a user", body: UserBody, response: { 201: UserView, ...problems } },
      },
      async (request, reply) => {
        const body = request.body;
        const created = await createUser(context, principalOf(request), {
          uid: body.uid,
          password: body.password,
          enabled: body.enabled,
          groups: body.groups,
          attributes: attributesOf(body),
        });
        reply.status(201).header("Location", userLocation(created.uid));
        return created;
      },
    );

    api.post(
      "/directory/users/import",
      {
        schema: {
          tags,
          summary: "Import users from CSV, all or nothing",
          body: ImportBody,
          response: { 200: ImportResult, ...problems },
        },
      },
      async (request) => {
        const body = request.body;
        return importCsv(context, principalOf(request), typeof body === "string" ? body : body.csv);
      },
    );

    api.get(
      "/directory/users/:uid",
      {
        schema: {
          tags,
          summary: "One user, with its groups",
          params: UidParams,
          response: { 200: UserView, ...problems },
        },
      },
      async (request) => getUser(context, request.params.uid),
    );

    api.patch(
      "/directory/users/:uid",
      {
        schema: {
          tags,
          summary: "Change a user (PATCH: given attributes replace, null removes)",
          params: UidParams,
          body: UserPatch,
          response: { 200: UserView, ...problems },
        },
      },
      async (request) => {
        const { uid } = request.params;
        const body = request.body;
        return updateUser(context, principalOf(request), uid, {
          uid: body.uid,
          password: body.password,
          enabled: body.enabled,
          groups: body.groups,
          attributes: attributesOf(body),
        });
      },
    );

    api.delete(
      "/directory/users/:uid",
      { schema: { tags, summary: "Delete a user (and its memberships)", params: UidParams } },
      async (request, reply) => {
        await deleteUser(context, principalOf(request), request.params.uid);
        reply.status(204).send();
      },
    );

    api.put(
      "/directory/users/:uid/password",
      { schema: { tags, summary: "Set a user's password", params: UidParams, body: PasswordBody } },
      async (request, reply) => {
        await setPassword(context, principalOf(request), request.params.uid, request.body.password);
        reply.status(204).send();
      },
    );

    for (const [action, run, summary] of [
      ["enable", enableUser, "Enable a user"],
      ["disable", disableUser, "Disable a user: they can no longer sign in"],
    ] as const) {
      api.post(
        `/directory/users/:uid/${action}`,
        { schema: { tags, summary, params: UidParams, response: { 200: UserView, ...problems } } },
        async (request) => run(context, principalOf(request), request.params.uid),
      );
    }
  };
