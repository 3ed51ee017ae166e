import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import {
  changeAdminPassword,
  createAdminAccount,
  createApiToken,
  deleteAdminAccount,
  deleteApiToken,
  listAdminAccounts,
  listApiTokens,
} from "../../services/admin-accounts.ts";
import type { ServiceContext } from "../../services/context.ts";
import {
  actorOf,
  type ConsoleRoutes,
  redirectWithNotice,
  sendPage,
  takeNotice,
  viewerOf,
} from "../request.ts";
import { type AccountForm, accountsPage, passwordPage, type TokenForm } from "../views/accounts.ts";
import { formErrorsOf } from "../views/format.ts";

const csrf = Type.String({ maxLength: 200 });
const AccountBody = Type.Object({
  _csrf: csrf,
  username: Type.String({ maxLength: 256 }),
  password: Type.String({ maxLength: 1024 }),
  role: Type.Union([Type.Literal("ADMIN"), Type.Literal("AUDITOR")]),
});
const PasswordBody = Type.Object({
  _csrf: csrf,
  password: Type.String({ maxLength: 1024 }),
  repeat: Type.String({ maxLength: 1024 }),
});
const TokenBody = Type.Object({
  _csrf: csrf,
  name: Type.String({ maxLength: 256 }),
  expiresInDays: Type.String({ maxLength: 10 }),
});
const Username = Type.Object({ username: Type.String({ minLength: 1, maxLength: 128 }) });
const TokenId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

/** "" or a whole number of days from 1 to 3650 (the admin API's range). */
const readDays = (text: string): number | undefined | "invalid" => {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const days = /^[0-9]{1,4}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  return days >= 1 && days <= 3650 ? days : "invalid";
};

/** Admin accounts and API tokens (issue 10: "Admin accounts and API tokens are managed here"). */
export const accountRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    const show = async (
      request: FastifyRequest,
      reply: FastifyReply,
      extra: {
        accountForm?: AccountForm;
        tokenForm?: TokenForm;
        createdToken?: Awaited<ReturnType<typeof createApiToken>>;
      } = {},
      status = 200,
    ) =>
      sendPage(
        reply,
        accountsPage({
          viewer: viewerOf(request),
          notice: takeNotice(request, reply),
          accounts: await listAdminAccounts(context),
          tokens: await listApiTokens(context),
          ...extra,
        }),
        status,
      );

    app.get("/accounts", async (request, reply) => show(request, reply));

    app.post("/accounts", { schema: { body: AccountBody } }, async (request, reply) => {
      const { username, password, role } = request.body;
      try {
        await createAdminAccount(context, actorOf(request), { username: username.trim(), password, role });
      } catch (error) {
        const errors = formErrorsOf(error, { ADMIN_EXISTS: "username" });
        return show(request, reply, { accountForm: { username, role, errors } }, 422);
      }
      return redirectWithNotice(
        request,
        reply,
        "/console/accounts",
        `Admin account "${username.trim()}" created (${role === "ADMIN" ? "admin" : "auditor"}).`,
      );
    });

    app.get("/accounts/:username/password", { schema: { params: Username } }, async (request, reply) => {
      const { username } = request.params;
      const exists = (await listAdminAccounts(context)).some((a) => a.username === username);
      if (!exists) return reply.callNotFound();
      return sendPage(reply, passwordPage({ viewer: viewerOf(request), username, errors: {} }));
    });

    app.post(
      "/accounts/:username/password",
      { schema: { params: Username, body: PasswordBody } },
      async (request, reply) => {
        const { username } = request.params;
        const { password, repeat } = request.body;
        const page = (errors: Record<string, string>) =>
          sendPage(reply, passwordPage({ viewer: viewerOf(request), username, errors }), 422);
        if (password !== repeat) return page({ repeat: "The two passwords differ." });
        try {
          await changeAdminPassword(context, actorOf(request), username, password);
        } catch (error) {
          return page(formErrorsOf(error));
        }
        // Changing one's own password ends one's own sessions too: sign in again with it.
        const location = username === viewerOf(request).username ? "/console/signin" : "/console/accounts";
        return redirectWithNotice(request, reply, location, `The password of "${username}" was changed.`);
      },
    );

    app.post("/accounts/:username/delete", { schema: { params: Username } }, async (request, reply) => {
      const { username } = request.params;
      await deleteAdminAccount(context, actorOf(request), username);
      const location = username === viewerOf(request).username ? "/console/signin" : "/console/accounts";
      return redirectWithNotice(request, reply, location, `Admin account "${username}" deleted.`);
    });

    app.post("/accounts/tokens", { schema: { body: TokenBody } }, async (request, reply) => {
      const name = request.body.name.trim();
      const days = readDays(request.body.expiresInDays);
      const form = { name: request.body.name, expiresInDays: request.body.expiresInDays };
      const errors: Record<string, string> = {};
      if (name === "") errors.name = "Give the token a name.";
      else if (name.length > 128) errors.name = "At most 128 characters.";
      if (days === "invalid") errors.expiresInDays = "A whole number of days from 1 to 3650, or empty.";
      if (Object.keys(errors).length > 0 || days === "invalid")
        return show(request, reply, { tokenForm: { ...form, errors } }, 422);
      const created = await createApiToken(context, actorOf(request), { name, expiresInDays: days });
      // Shown on this response only, never through a redirect: nothing keeps the token.
      return show(request, reply, { createdToken: created });
    });

    app.post("/accounts/tokens/:id/revoke", { schema: { params: TokenId } }, async (request, reply) => {
      const token = (await listApiTokens(context)).find((t) => t.id === request.params.id);
      await deleteApiToken(context, actorOf(request), request.params.id);
      return redirectWithNotice(
        request,
        reply,
        "/console/accounts",
        `API token "${token?.name ?? request.params.id}" revoked.`,
      );
    });
  };
