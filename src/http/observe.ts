import type { FastifyInstance, FastifyReply } from "fastify";
import type { Listener, Metrics, SsoOutcomeLabel } from "../metrics/metrics.ts";
import type { SsoOutcome } from "../services/sso/types.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** What an SSO endpoint gave the browser, for the metrics (set where the page is sent). */
    ssoResult: { outcome: SsoOutcomeLabel; connectionId: string | undefined } | null;
  }
}

/** The endpoints whose answers count as SSO requests; the sign-in form only when it is posted. */
const ssoRoutes: ReadonlySet<string> = new Set(["/idp/startSSO.ping", "/idp/SSO.saml2"]);
const isSsoRequest = (route: string | undefined, method: string) =>
  (route !== undefined && ssoRoutes.has(route)) || (route === "/idp/login" && method === "POST");

const outcomeLabels = {
  post: "assertion",
  "post-error": "saml_error",
  login: "login_form",
  "signed-in": "signed_in",
} as const satisfies Record<SsoOutcome["kind"], SsoOutcomeLabel>;

/**
 * Notes the outcome an SSO page reports; read once the response is sent. A request that ends on
 * an error page notes nothing and counts as `refused` or `failed` by its status.
 */
export const noteSsoOutcome = (reply: FastifyReply, outcome: SsoOutcome): void => {
  const label =
    outcome.kind === "login" && outcome.error !== undefined ? "login_failed" : outcomeLabels[outcome.kind];
  reply.request.ssoResult = {
    outcome: label,
    connectionId: outcome.kind === "signed-in" ? undefined : outcome.connectionId,
  };
};

/**
 * Times every request of a listener, by its declared route (never the path asked for, so the
 * label stays bounded), and counts the SSO outcomes. Registered before any route.
 */
export const observeRequests = (app: FastifyInstance, listener: Listener, metrics: Metrics | undefined) => {
  app.decorateRequest("ssoResult", null);
  if (metrics === undefined) return;
  app.addHook("onResponse", async (request, reply) => {
    const seconds = reply.elapsedTime / 1000;
    const route = request.routeOptions.url;
    metrics.request(listener, route ?? "unmatched", request.method, reply.statusCode, seconds);
    if (listener === "runtime" && isSsoRequest(route, request.method)) {
      const result = request.ssoResult ?? { outcome: reply.statusCode >= 500 ? "failed" : "refused" };
      metrics.sso(result.outcome, request.ssoResult?.connectionId, seconds);
    }
  });
};
