import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RawServerDefault } from "fastify";
import type { AdminTypeProvider } from "../http/admin-api/type-provider.ts";
import { AppError } from "../lib/errors.ts";
import type { Principal } from "../services/admin-auth.ts";
import type { ResumedSession } from "../services/console/sessions.ts";
import type { Viewer } from "./views/layout.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in console user; the session hook (app.ts) sets it on every console page. */
    viewer: Viewer | null;
    /** The session behind it (for the form token check and sign-out). */
    consoleSession: ResumedSession | null;
  }
  interface FastifyContextConfig {
    /** A route the page polls by itself (htmx): not the admin's activity, for the idle timeout. */
    consolePoll?: boolean;
  }
}

/** A console route plugin whose handlers take their types from their schemas (TypeBox). */
export type ConsoleRoutes = FastifyPluginAsync<Record<never, never>, RawServerDefault, AdminTypeProvider>;

/** The console's session cookie: HttpOnly, SameSite=Strict, Secure over https, only for /console. */
export const sessionCookie = "portico_console";
/** The notice shown once on the next page (after a redirect). */
export const noticeCookie = "portico_console_notice";

export const viewerOf = (request: FastifyRequest): Viewer => {
  if (!request.viewer) throw new AppError("AUTH_REQUIRED");
  return request.viewer;
};

/** The actor the services record in the audit log for this viewer. */
export const actorOf = (request: FastifyRequest): Principal => {
  const viewer = viewerOf(request);
  return { name: viewer.username, kind: "admin", role: viewer.role };
};

export const cookieOptions = (request: FastifyRequest) => ({
  path: "/console",
  httpOnly: true,
  sameSite: "strict" as const,
  secure: request.protocol === "https",
});

/** Sends an HTML page with the console's headers. */
export const sendPage = (reply: FastifyReply, page: string, status = 200): FastifyReply =>
  reply.status(status).type("text/html; charset=utf-8").send(page);

/** Leaves a notice for the next page this browser shows. */
export const setNotice = (request: FastifyRequest, reply: FastifyReply, notice: string): FastifyReply =>
  reply.setCookie(noticeCookie, Buffer.from(notice, "utf8").toString("base64url"), {
    ...cookieOptions(request),
    maxAge: 60,
  });

/** After a change: back to a page (POST-redirect-GET), with a notice shown there once. */
export const redirectWithNotice = (
  request: FastifyRequest,
  reply: FastifyReply,
  location: string,
  notice: string,
): FastifyReply => setNotice(request, reply, notice).redirect(location, 303);

/** The notice left by the previous request, if any; it is cleared as it is read. */
export const takeNotice = (request: FastifyRequest, reply: FastifyReply): string | undefined => {
  const raw = request.cookies[noticeCookie];
  if (raw === undefined) return undefined;
  reply.clearCookie(noticeCookie, cookieOptions(request));
  const text = Buffer.from(raw, "base64url").toString("utf8");
  return text.length > 0 && text.length <= 500 ? text : undefined;
};

/** The console session's id (its token's hash): what per-session state, like a wizard's draft, is kept under. */
export const sessionIdOf = (request: FastifyRequest): string => {
  const resumed = request.consoleSession;
  if (!resumed) throw new AppError("AUTH_REQUIRED");
  return resumed.session.id;
};

/** A hook for pages that only change things (a wizard): an auditor may not even open them. */
export const refuseAuditors = async (request: FastifyRequest): Promise<void> => {
  if (viewerOf(request).role === "AUDITOR")
    throw new AppError("AUTH_FORBIDDEN", { message: "Auditor accounts are read-only." });
};
