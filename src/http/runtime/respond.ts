import { randomBytes } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../lib/errors.ts";
import type { BrowserCookies } from "../../services/sso/flow.ts";
import type { LiveSession } from "../../services/sso/sessions.ts";
import { reportServerError, toAppError } from "../problem.ts";
import { setPageCsp } from "../security-headers.ts";
import { autoPostPage, errorPage, loginPage, messagePage } from "./pages.ts";

export const sessionCookie = "PORTICO_SSO";
/** Binds sign-in forms to the browser they were shown to; sent only with the form's POST. */
export const loginCookie = "PORTICO_LOGIN";

export const browserCookies = (request: FastifyRequest): BrowserCookies => ({
  session: request.cookies[sessionCookie],
  login: request.cookies[loginCookie],
});

/**
 * A runtime page: never cached, under its own policy (security-headers.ts; helmet sets the rest
 * on every response). `formAction`: where its form may post, or none.
 */
const pageHeaders = (reply: FastifyReply, nonce: string, formAction?: string) =>
  setPageCsp(reply, nonce, formAction)
    .header("Cache-Control", "no-store")
    .header("Pragma", "no-cache")
    .type("text/html; charset=utf-8");

const nonce = () => randomBytes(16).toString("base64");

export const sendLogin = (
  reply: FastifyReply,
  options: {
    resume: string;
    partnerName?: string | undefined;
    error?: string | undefined;
    username?: string | undefined;
  },
  status = 200,
) => {
  const n = nonce();
  // same-origin, not no-referrer: with no-referrer the browser sends `Origin: null` on the
  // form's own POST, and the sign-in edge could not tell it from a cross-site one.
  pageHeaders(reply, n, "'self'").header("Referrer-Policy", "same-origin").status(status);
  return reply.send(loginPage({ nonce: n, action: "/idp/login", ...options }));
};

export const sendAutoPost = (
  reply: FastifyReply,
  action: string,
  fields: Readonly<Record<string, string | undefined>>,
) => {
  const n = nonce();
  pageHeaders(reply, n, action);
  return reply.send(autoPostPage({ nonce: n, action, fields }));
};

const signInTitles: Partial<Record<string, string>> = {
  SAML_SP_UNKNOWN: "Unknown application",
  SAML_SP_INACTIVE: "Application not available",
  SAML_PROFILE_DISABLED: "Sign-in not allowed this way",
  LOGIN_EXPIRED: "Sign-in page expired",
  LOGIN_FORM_FOREIGN: "Sign-in refused",
  LOGIN_CROSS_SITE: "Sign-in refused",
};

const signOutTitles: Partial<Record<string, string>> = {
  SAML_SP_UNKNOWN: "Unknown application",
  SAML_SP_INACTIVE: "Application not available",
  SAML_PROFILE_DISABLED: "Sign-out not allowed this way",
};

/** The single-logout endpoints: a failure there is a failed sign-out, not a failed sign-in. */
const signOutRoutes: ReadonlySet<string> = new Set(["/idp/SLO.saml2", "/idp/startSLO.ping"]);

const titleFor = (request: FastifyRequest, code: string, status: number): string => {
  if (status >= 500) return "Something went wrong";
  return signOutRoutes.has(request.routeOptions.url ?? "")
    ? (signOutTitles[code] ?? "Sign-out failed")
    : (signInTitles[code] ?? "Sign-in failed");
};

/**
 * The runtime's error edge: an HTML page with a correlation id. Never a redirect or a post to an
 * address the request named, because until the SP is verified no such address is trusted.
 */
export const sendErrorPage = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
  const appError = toAppError(error);
  if (appError.status >= 500) reportServerError(request, reply, error, appError, "runtime request failed");
  else request.log.warn({ code: appError.code, url: request.routeOptions.url }, "runtime request refused");
  const n = nonce();
  pageHeaders(reply, n).status(Math.max(appError.status, 400));
  return reply.send(
    errorPage({
      nonce: n,
      title: titleFor(request, appError.code, appError.status),
      message: appError.expose ? appError.message : "The identity provider could not complete the request.",
      correlationId: request.id,
      code: appError.code,
    }),
  );
};

/**
 * A page that only tells (no form, no script), under the headers every page carries: what the
 * admin listener shows a browser coming back from Salesforce. With a code, it is an error page.
 */
export const sendMessagePage = (
  reply: FastifyReply,
  options: {
    title: string;
    message: string;
    status?: number;
    error?: { code: string; correlationId: string };
  },
) => {
  const n = nonce();
  pageHeaders(reply, n).status(options.status ?? 200);
  const { title, message, error } = options;
  return reply.send(
    error === undefined
      ? messagePage({ nonce: n, title, message })
      : errorPage({ nonce: n, title, message, code: error.code, correlationId: error.correlationId }),
  );
};

export const setSessionCookie = (reply: FastifyReply, session: LiveSession, secure: boolean) => {
  // SameSite=None lets Salesforce's cross-site POSTed AuthnRequest carry the cookie; browsers
  // accept None only with Secure, so a plain-http (development) base URL falls back to Lax.
  reply.setCookie(sessionCookie, session.token, {
    path: "/",
    httpOnly: true,
    secure,
    sameSite: secure ? "none" : "lax",
    expires: new Date(session.expiresAt),
  });
};

/**
 * SameSite=Strict: a cross-site POST never carries it, so a hostile page cannot complete a
 * sign-in form in the victim's browser; Portico's own form posts same-origin and always does.
 */
export const setLoginCookie = (reply: FastifyReply, token: string, secure: boolean) => {
  reply.setCookie(loginCookie, token, { path: "/idp/login", httpOnly: true, secure, sameSite: "strict" });
};

export const clearSessionCookie = (reply: FastifyReply, secure: boolean) => {
  reply.clearCookie(sessionCookie, { path: "/", httpOnly: true, secure, sameSite: secure ? "none" : "lax" });
};

export const assertString = (value: unknown, name: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    throw new AppError("SAML_BINDING_INVALID", { message: `${name} appears more than once.` });
  return value;
};

/**
 * A parsed form body or query string as its fields. @fastify/formbody and Fastify's query parser
 * give strings, or arrays of strings for a repeated name; anything else (a JSON body, say) is
 * not a browser's form and is refused. No body at all is no fields.
 */
export const formFields = (value: unknown): Readonly<Record<string, string | readonly string[]>> => {
  const fields: Record<string, string | readonly string[]> = {};
  if (value === undefined || value === null) return fields;
  if (typeof value !== "object" || Array.isArray(value))
    throw new AppError("SAML_BINDING_INVALID", { message: "The request does not carry form fields." });
  for (const [name, field] of Object.entries(value)) {
    const isText = typeof field === "string";
    if (!isText && !(Array.isArray(field) && field.every((item) => typeof item === "string")))
      throw new AppError("SAML_BINDING_INVALID", { message: `${name} is not a form field.` });
    fields[name] = field;
  }
  return fields;
};

/**
 * The query string exactly as the browser sent it: the HTTP-Redirect binding's signature covers
 * these bytes (saml-bindings §3.4.4.1), not a re-encoding of parsed parameters.
 */
export const rawQuery = (request: FastifyRequest): string => {
  const url = request.raw.url ?? "";
  const at = url.indexOf("?");
  return at < 0 ? "" : url.slice(at + 1);
};
