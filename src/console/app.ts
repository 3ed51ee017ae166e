import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { html } from "../http/html.ts";
import { reportServerError, toAppError } from "../http/problem.ts";
import { AppError } from "../lib/errors.ts";
import { checkFormToken, resumeConsoleSession } from "../services/console/sessions.ts";
import type { ServiceContext } from "../services/context.ts";
import { registerAssets } from "./assets.ts";
import { type ConsoleRoutes, cookieOptions, sendPage, sessionCookie, setNotice } from "./request.ts";
import { accountRoutes } from "./routes/accounts.ts";
import { auditRoutes } from "./routes/audit.ts";
import { connectionActionRoutes } from "./routes/connection-actions.ts";
import { connectionTabRoutes } from "./routes/connection-tabs.ts";
import { connectionWizardRoutes } from "./routes/connection-wizard.ts";
import { connectionWizardSsoRoutes } from "./routes/connection-wizard-sso.ts";
import { connectionListRoutes } from "./routes/connections.ts";
import { dataStoreRoutes } from "./routes/datastores.ts";
import { directoryRoutes } from "./routes/directory.ts";
import { directoryUserRoutes } from "./routes/directory-users.ts";
import { homeRoutes } from "./routes/home.ts";
import { keyRoutes } from "./routes/keys.ts";
import { outboundChannelRoutes } from "./routes/outbound-channels.ts";
import { outboundFieldRoutes } from "./routes/outbound-field.ts";
import { outboundMappingRoutes } from "./routes/outbound-mapping.ts";
import { outboundTargetRoutes } from "./routes/outbound-target.ts";
import { provisioningRoutes } from "./routes/provisioning.ts";
import { signInRoutes, signOutRoutes } from "./routes/sign-in.ts";
import { ssoTestRoutes } from "./routes/sso-test.ts";
import { barePage, consolePage } from "./views/layout.ts";

/** Console pages hold configuration: never cached. Security headers come from helmet (http/security-headers.ts). */
const noStore = async (_request: FastifyRequest, reply: FastifyReply) => {
  reply.header("Cache-Control", "no-store");
};

const errorTitle = (status: number) =>
  status === 403
    ? "Not allowed"
    : status === 404
      ? "Not found"
      : status >= 500
        ? "Something went wrong"
        : "Refused";

/**
 * A request htmx made for part of a page, once the session has ended: the whole page goes to the
 * sign-in form (HX-Redirect), coming back to that page, rather than the form landing in the part.
 */
const signInFromPoll = (request: FastifyRequest, reply: FastifyReply) => {
  const current = request.headers["hx-current-url"];
  const page = typeof current === "string" && URL.canParse(current) ? new URL(current) : undefined;
  const next = page?.pathname.startsWith("/console/") ? `${page.pathname}${page.search}` : "/console";
  return reply
    .status(401)
    .header("HX-Redirect", `/console/signin?next=${encodeURIComponent(next)}`)
    .type("text/plain; charset=utf-8")
    .send("Sign in again.");
};

const renderError = (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
  const appError = toAppError(error);
  if (appError.status >= 500) reportServerError(request, reply, error, appError, "console request failed");
  if (appError.code === "AUTH_REQUIRED" && request.headers["hx-request"] === "true")
    return signInFromPoll(request, reply);
  if (appError.code === "AUTH_REQUIRED" && request.method === "GET")
    return reply.redirect(`/console/signin?next=${encodeURIComponent(request.url)}`, 303);
  const body = html`<div class="alert" role="alert"><p>${appError.expose ? appError.message : "The server could not do this; the log has the details."}</p>
${appError.details.length > 0 ? html`<ul>${appError.details.map((d) => html`<li>${d.field ? html`<strong>${d.field}</strong>: ` : ""}${d.message}</li>`)}</ul>` : ""}
<p class="muted">Code <code>${appError.code}</code>, reference <code>${request.id}</code>.</p></div>
<p><a href="/console">Console home</a></p>`;
  const title = errorTitle(appError.status);
  const page = request.viewer ? consolePage({ title, viewer: request.viewer, body }) : barePage(title, body);
  return sendPage(reply, page, appError.status);
};

/** Finds the session behind the cookie; a page without one sends the browser to sign in. */
const requireSession = (context: ServiceContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const token = request.cookies[sessionCookie];
  const resumed = await resumeConsoleSession(context, token, {
    activity: request.routeOptions.config.consolePoll !== true,
  });
  if (!resumed) {
    if (token !== undefined) {
      reply.clearCookie(sessionCookie, cookieOptions(request));
      setNotice(
        request,
        reply,
        "Your console session has ended (signed out, or idle for 30 minutes): sign in again.",
      );
    }
    throw new AppError("AUTH_REQUIRED", {
      message: "Your console session has ended (signed out, or idle for too long): sign in again.",
    });
  }
  request.viewer = {
    username: resumed.principal.name,
    role: resumed.principal.role,
    csrfToken: resumed.session.csrfToken,
  };
  request.consoleSession = resumed;
};

/** Every POST carries the session's form token; an auditor may only sign out. */
const guardChanges = async (request: FastifyRequest) => {
  if (request.method !== "POST") return;
  const resumed = request.consoleSession;
  if (!resumed) throw new AppError("AUTH_REQUIRED");
  const body = request.body;
  const sent = typeof body === "object" && body !== null && "_csrf" in body ? body._csrf : undefined;
  checkFormToken(resumed.session, typeof sent === "string" ? sent : undefined);
  if (resumed.principal.role === "AUDITOR" && request.routeOptions.url !== "/console/signout")
    throw new AppError("AUTH_FORBIDDEN", { message: "Auditor accounts are read-only." });
};

/** The console's pages, each behind the session. Their routes are relative to /console. */
const pages: readonly ((context: ServiceContext) => ConsoleRoutes)[] = [
  homeRoutes,
  signOutRoutes,
  connectionListRoutes,
  connectionActionRoutes,
  accountRoutes,
  provisioningRoutes,
  outboundTargetRoutes,
  connectionWizardRoutes,
  connectionWizardSsoRoutes,
  connectionTabRoutes,
  keyRoutes,
  auditRoutes,
  ssoTestRoutes,
  outboundChannelRoutes,
  outboundMappingRoutes,
  outboundFieldRoutes,
  directoryRoutes,
  directoryUserRoutes,
  dataStoreRoutes,
];

/** The admin console on the admin listener, under /console: same process, same services as the API. */
export const registerConsole = async (app: FastifyInstance, context: ServiceContext): Promise<void> => {
  await app.register(
    async (scope) => {
      // Pages, not API: keep them out of the OpenAPI document.
      scope.addHook("onRoute", (route) => {
        route.schema = { ...route.schema, hide: true };
      });
      await scope.register(cookie);
      await scope.register(formbody, { bodyLimit: 2 * 1024 * 1024 });
      // File uploads (metadata, connection import, CSV): fields and files land in request.body as
      // strings and Buffers, so the form token check below reads `_csrf` the same way.
      await scope.register(multipart, {
        attachFieldsToBody: "keyValues",
        limits: { fileSize: 2 * 1024 * 1024, files: 1, fields: 200, parts: 201 },
      });
      scope.decorateRequest("viewer", null);
      scope.decorateRequest("consoleSession", null);
      scope.addHook("onRequest", noStore);
      scope.setErrorHandler(renderError);
      registerAssets(scope);
      await scope.register(signInRoutes(context));
      await scope.register(async (signedIn) => {
        signedIn.addHook("onRequest", requireSession(context));
        signedIn.addHook("preHandler", guardChanges);
        signedIn.setNotFoundHandler(() => {
          throw new AppError("REQ_NOT_FOUND", { message: "There is no such console page." });
        });
        for (const routes of pages) await signedIn.register(routes(context));
      });
    },
    { prefix: "/console" },
  );
};
