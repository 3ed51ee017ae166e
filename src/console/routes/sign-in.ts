import { randomBytes } from "node:crypto";
import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { constantTimeEqual } from "../../crypto/tokens.ts";
import { AppError, isAppError } from "../../lib/errors.ts";
import { consoleSignIn, consoleSignOut } from "../../services/console/sessions.ts";
import type { ServiceContext } from "../../services/context.ts";
import { type ConsoleRoutes, cookieOptions, sendPage, sessionCookie, takeNotice } from "../request.ts";
import { signInPage } from "../views/sign-in.ts";

/**
 * Signing in and out. The sign-in form has no session yet, so it is bound to the browser by a
 * cookie of its own (double submit): a form posted from elsewhere has no matching cookie.
 */
const preCookie = "portico_console_pre";

/** Where to go after signing in: a console page of this server, never anywhere else. */
const safeNext = (next: string | undefined): string =>
  next !== undefined &&
  /^\/console(\/[A-Za-z0-9/_.~%?=&+-]*)?$/.test(next) &&
  !next.startsWith("/console/signin")
    ? next
    : "/console";

const showForm = (
  request: FastifyRequest,
  reply: FastifyReply,
  o: { next?: string | undefined; username?: string | undefined; error?: string | undefined },
  status = 200,
) => {
  const formToken = randomBytes(24).toString("base64url");
  reply.setCookie(preCookie, formToken, { ...cookieOptions(request), path: "/console/signin", maxAge: 3600 });
  const notice = takeNotice(request, reply);
  return sendPage(reply, signInPage({ formToken, ...o, ...(notice ? { notice } : {}) }), status);
};

const SignInForm = Type.Object(
  {
    username: Type.String({ maxLength: 256 }),
    password: Type.String({ maxLength: 1024 }),
    _pre: Type.Optional(Type.String({ maxLength: 100 })),
    next: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const signInRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    app.get(
      "/signin",
      { schema: { querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) } },
      async (request, reply) => showForm(request, reply, { next: request.query.next }),
    );

    app.post("/signin", { schema: { body: SignInForm } }, async (request, reply) => {
      const { username, password, next } = request.body;
      const bound = request.cookies[preCookie];
      if (
        bound === undefined ||
        request.body._pre === undefined ||
        !constantTimeEqual(bound, request.body._pre)
      )
        return showForm(
          request,
          reply,
          { next, username, error: new AppError("CONSOLE_FORM_EXPIRED").message },
          403,
        );
      try {
        const { token } = await consoleSignIn(context, { username, password, address: request.ip });
        reply.clearCookie(preCookie, { ...cookieOptions(request), path: "/console/signin" });
        reply.setCookie(sessionCookie, token, cookieOptions(request));
        return reply.redirect(safeNext(next), 303);
      } catch (error) {
        if (!isAppError(error)) throw error;
        if (error.code === "AUTH_THROTTLED") {
          const retry = error.details.find((d) => d.field === "retryAfterSeconds");
          if (retry) reply.header("Retry-After", retry.message);
          return showForm(request, reply, { next, username, error: error.message }, 429);
        }
        if (error.code === "AUTH_INVALID_CREDENTIALS")
          return showForm(request, reply, { next, username, error: "Wrong username or password." }, 401);
        throw error;
      }
    });
  };

export const signOutRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    app.post("/signout", async (request, reply) => {
      const resumed = request.consoleSession;
      if (resumed) await consoleSignOut(context, resumed);
      reply.clearCookie(sessionCookie, cookieOptions(request));
      return reply.redirect("/console/signin", 303);
    });
  };
