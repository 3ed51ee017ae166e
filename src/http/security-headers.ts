import helmet from "@fastify/helmet";
import type { FastifyInstance, FastifyReply } from "fastify";

/**
 * Every security header either listener sends, in one place. @fastify/helmet sets them on every
 * response; a page that runs a script or style of its own, or posts a form, replaces only the
 * Content-Security-Policy, through `setPageCsp` below.
 */

/**
 * The console's policy, the strictest its pages allow: scripts and styles only from this origin
 * (no inline script, no eval), forms only to this origin, never framed. htmx is told the same
 * (console/views/layout.ts).
 */
const consoleDirectives = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

/** What the runtime sends where no page says more (metadata, heartbeat, redirects): nothing may run. */
const runtimeDirectives = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'none'"],
};

/**
 * `runtime`: the SSO listener, which Salesforce users' browsers reach; Strict-Transport-Security
 * only when its public base URL is https (browsers ignore it over http, and a developer's
 * localhost should not learn it). `admin`: the API and the console, private.
 */
export const registerSecurityHeaders = async (
  app: FastifyInstance,
  listener: { kind: "runtime"; https: boolean } | { kind: "admin" },
): Promise<void> => {
  const isRuntime = listener.kind === "runtime";
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: isRuntime ? runtimeDirectives : consoleDirectives,
    },
    frameguard: { action: "deny" },
    // The runtime's URLs carry SAML messages: they never leave in a Referer. The console's
    // same-origin Referer is what its sign-in check and htmx rely on.
    referrerPolicy: { policy: isRuntime ? "no-referrer" : "same-origin" },
    strictTransportSecurity:
      isRuntime && listener.https ? { maxAge: 31536000, includeSubDomains: false } : false,
  });
};

/**
 * The policy of one runtime page: its own inline script and style by nonce, and, where it has a
 * form, exactly where that form may post. CSP source expressions carry no query, so an ACS is
 * named by its origin and path (csp3 §2.3.1).
 */
export const setPageCsp = (
  reply: FastifyReply,
  nonce: string,
  formAction: string | undefined,
): FastifyReply => {
  const target =
    formAction === undefined ? "'none'" : formAction === "'self'" ? "'self'" : formActionSource(formAction);
  return reply.header(
    "Content-Security-Policy",
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; base-uri 'none'; frame-ancestors 'none'; form-action ${target}`,
  );
};

const formActionSource = (action: string): string => {
  const url = new URL(action);
  return `${url.origin}${url.pathname}`;
};
