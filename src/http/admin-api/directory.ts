import { type TSchema, Type } from "@sinclair/typebox";
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
import { type AttributeInput, limits, uidPattern } from "../../services/directory/validation.ts";
import { adminApiBase, principalOf } from "./principal.ts";
import { Items, problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

/**
 * The built-in directory: `/directory/users[/{uid}]` and `/directory/groups[/{cn}]`. A user is one
 * flat LDAP-style document: `uid`, `enabled`, `password` (write only), `groups`, and every other
 * key an attribute (a string, an array of strings, or null to remove it).
 */

const AttributeValue = Type.Union([Type.String(), Type.Array(Type.String()), Type.Null()], {
  description: "an attribute: one value, several, or null (or []) to remove it",
});
const ShownAttribute = Type.Union([Type.String(), Type.Array(Type.String())]);
const Password = Type.String({
  minLength: 1,
  maxLength: limits.passwordMaxLength,
  description: `write only; at least ${limits.passwordMinLength} characters; stored as a scrypt hash`,
});
const GroupList = (description: string) =>
  Type.Array(Type.String({ maxLength: 128 }), { maxItems: 1000, description });
/** Fields of a user document the server computes: accepted when echoed, and ignored. */
const readOnly = {
  hasPassword: Type.Optional(Type.Boolean({ description: "read only" })),
  createdAt: Type.Optional(Type.String({ description: "read only" })),
  updatedAt: Type.Optional(Type.String({ description: "read only" })),
};

const flat = <T extends Record<string, TSchema>>(properties: T, description: string) =>
  Type.Object(properties, {
    additionalProperties: AttributeValue,
    maxProperties: limits.attributesPerUser + 10,
    description,
  });

const UserBody = flat(
  {
    uid: Type.String({
      pattern: uidPattern,
      description: "the sign-in name; case is kept, and ignored in look-ups",
    }),
    password: Type.Optional(Password),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    groups: Type.Optional(GroupList("cns of existing groups to join")),
    ...readOnly,
  },
  'A user: e.g. {"uid":"ada","mail":"ada@acme.com","givenName":"Ada","sn":"Lovelace"}',
);

const UserPatch = flat(
  {
    uid: Type.Optional(Type.String({ description: "ignored when it names this user; a uid cannot change" })),
    password: Type.Optional(
      Type.Union([Password, Type.Null()], { description: "null removes the password" }),
    ),
    enabled: Type.Optional(Type.Boolean()),
    groups: Type.Optional(GroupList("replaces the memberships")),
    ...readOnly,
  },
  "Changes: attributes given replace those attributes, null removes one, absent ones stay",
);

const UserView = Type.Object(
  {
    uid: Type.String(),
    enabled: Type.Boolean(),
    hasPassword: Type.Boolean(),
    groups: Type.Array(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  {
    additionalProperties: ShownAttribute,
    description: "A user; attributes flattened beside uid (one value a string, several an array)",
  },
);

const UidParams = Type.Object(
  { uid: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
const CnParams = Type.Object(
  { cn: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
const MemberParams = Type.Object(
  { cn: Type.String({ minLength: 1, maxLength: 128 }), uid: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({ pattern: "^[1-9][0-9]{0,3}$", description: `page size (default 100, at most 1000)` }),
    ),
    after: Type.Optional(Type.String({ maxLength: 128, description: "the last uid of the previous page" })),
    filter: Type.Optional(
      Type.String({ maxLength: 256, description: "part of the uid, mail or cn, any case" }),
    ),
  },
  { additionalProperties: false },
);

const PasswordBody = Type.Object({ password: Password }, { additionalProperties: false });

const ImportBody = Type.Union(
  [
    Type.String({ description: "text/csv" }),
    Type.Object({ csv: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  ],
  {
    description:
      "CSV as a text/csv body, or JSON {csv}. Header row: uid (required), password, enabled (true/false), groups (;-separated cns), and attribute columns (several values ;-separated).",
  },
);
const ImportResult = Type.Object({
  imported: Type.Integer(),
  users: Type.Array(Type.String()),
  groupsCreated: Type.Array(Type.String()),
});

const GroupBody = Type.Object(
  {
    cn: Type.String({ minLength: 1, maxLength: 128 }),
    description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    members: Type.Optional(
      Type.Array(Type.String({ maxLength: 128 }), { description: "uids of existing users" }),
    ),
    createdAt: readOnly.createdAt,
    updatedAt: readOnly.updatedAt,
  },
  { additionalProperties: false },
);
const GroupPatch = Type.Object(
  {
    cn: Type.Optional(Type.String({ description: "ignored when it names this group; a cn cannot change" })),
    description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    members: Type.Optional(
      Type.Array(Type.String({ maxLength: 128 }), { description: "replaces the members" }),
    ),
    createdAt: readOnly.createdAt,
    updatedAt: readOnly.updatedAt,
  },
  { additionalProperties: false },
);
const GroupView = Type.Object({
  cn: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  members: Type.Array(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

type FlatUser = Record<string, unknown>;

/** Reserved keys out, attributes left: the body's split into what the service takes. */
const attributesOf = (body: FlatUser): Record<string, AttributeInput> => {
  const {
    uid: _uid,
    password: _password,
    enabled: _enabled,
    groups: _groups,
    hasPassword: _hasPassword,
    createdAt: _createdAt,
    updatedAt: _updatedAt,
    ...attributes
  } = body;
  // The schema admits only strings, arrays of strings and null here.
  return attributes as Record<string, AttributeInput>;
};

const userLocation = (uid: string) => `${adminApiBase}/directory/users/${encodeURIComponent(uid)}`;
const groupLocation = (cn: string) => `${adminApiBase}/directory/groups/${encodeURIComponent(cn)}`;

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
