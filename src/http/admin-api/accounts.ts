import { Type } from "@sinclair/typebox";
import { AppError } from "../../lib/errors.ts";
import {
  changeAdminPassword,
  createAdminAccount,
  createApiToken,
  deleteAdminAccount,
  deleteApiToken,
  listAdminAccounts,
  listApiTokens,
} from "../../services/admin-accounts.ts";
import { listAuditEvents } from "../../services/audit.ts";
import type { ServiceContext } from "../../services/context.ts";
import { principalOf } from "./principal.ts";
import { IdParams, Items, problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

const Role = Type.Union([Type.Literal("ADMIN"), Type.Literal("AUDITOR")]);
const AccountView = Type.Object({
  username: Type.String(),
  role: Role,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const UsernameParams = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
const AccountBody = Type.Object(
  {
    username: Type.String({ pattern: "^[A-Za-z0-9._@-]{1,128}$" }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    role: Type.Optional(Role),
  },
  { additionalProperties: false },
);
const PasswordBody = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
});
const TokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);

const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,3}$" })),
    before: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,15}$" })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    resourceType: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    resourceId: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    outcome: Type.Optional(Type.Union([Type.Literal("SUCCESS"), Type.Literal("FAILURE")])),
    from: Type.Optional(Type.String({ format: "date-time", description: "Events at or after this instant" })),
    to: Type.Optional(Type.String({ format: "date-time", description: "Events before this instant" })),
  },
  { additionalProperties: false },
);
const AuditEvent = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  resourceType: Type.String(),
  resourceId: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  detail: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});

export const accountRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    const tags = ["Administration"];
    api.get(
      "/adminAccounts",
      {
        schema: { tags, summary: "List admin accounts", response: { 200: Items(AccountView), ...problems } },
      },
      async () => ({ items: await listAdminAccounts(context) }),
    );
    api.post(
      "/adminAccounts",
      {
        schema: {
          tags,
          summary: "Create an admin account",
          body: AccountBody,
          response: { 201: AccountView, ...problems },
        },
      },
      async (request, reply) => {
        reply.status(201);
        return createAdminAccount(context, principalOf(request), request.body);
      },
    );
    api.put(
      "/adminAccounts/:username/password",
      {
        schema: {
          tags,
          summary: "Set an admin account's password",
          params: UsernameParams,
          body: PasswordBody,
        },
      },
      async (request, reply) => {
        const { username } = request.params;
        const actor = principalOf(request);
        if (actor.kind === "admin" && actor.role !== "ADMIN" && actor.name !== username)
          throw new AppError("AUTH_FORBIDDEN");
        await changeAdminPassword(context, actor, username, request.body.password);
        reply.status(204).send();
      },
    );
    api.delete(
      "/adminAccounts/:username",
      { schema: { tags, summary: "Delete an admin account (never the last one)", params: UsernameParams } },
      async (request, reply) => {
        await deleteAdminAccount(context, principalOf(request), request.params.username);
        reply.status(204).send();
      },
    );

    api.get(
      "/apiTokens",
      {
        schema: {
          tags,
          summary: "List API tokens (never the tokens themselves)",
          response: { 200: Items(TokenView), ...problems },
        },
      },
      async () => ({ items: await listApiTokens(context) }),
    );
    api.post(
      "/apiTokens",
      {
        schema: {
          tags,
          summary: "Create an API token; the token is shown in this response only",
          body: TokenBody,
          response: { 201: Type.Intersect([TokenView, Type.Object({ token: Type.String() })]), ...problems },
        },
      },
      async (request, reply) => {
        reply.status(201);
        return createApiToken(context, principalOf(request), request.body);
      },
    );
    api.delete(
      "/apiTokens/:id",
      { schema: { tags, summary: "Revoke an API token", params: IdParams } },
      async (request, reply) => {
        await deleteApiToken(context, principalOf(request), request.params.id);
        reply.status(204).send();
      },
    );

    api.get(
      "/auditLog",
      {
        schema: {
          tags,
          summary: "Admin changes, newest first (who, what, when; never a secret), filtered by any field",
          querystring: AuditQuery,
          response: { 200: Items(AuditEvent), ...problems },
        },
      },
      async (request) => {
        const { limit, before, from, to, ...filter } = request.query;
        const { events } = await listAuditEvents(context, {
          filter: {
            ...filter,
            from: from === undefined ? undefined : new Date(from).toISOString(),
            to: to === undefined ? undefined : new Date(to).toISOString(),
          },
          limit: Math.min(Number(limit ?? "100"), 1000),
          beforeId: before === undefined ? undefined : Number(before),
        });
        return { items: events };
      },
    );
  };
