import type { FastifyReply, FastifyRequest } from "fastify";
import type { Outbound } from "./authn-request.ts";
import type { SpKeys } from "./keys.ts";
import { messagePage } from "./pages.ts";
import type { SpStore } from "./store.ts";
import type { SamlOrgView } from "./types.ts";

/** What every route handler of the SP needs. */
export type SpContext = {
  store: SpStore;
  view: () => SamlOrgView;
  /** The SP key pair, generated on first use for the current org. */
  keys: () => Promise<SpKeys>;
};

const HTML = "text/html; charset=utf-8";

export function param(source: unknown, key: string): string | undefined {
  if (typeof source !== "object" || source === null) return undefined;
  const value = (source as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}

export function rawQuery(request: FastifyRequest): string {
  const url = request.raw.url ?? "";
  const q = url.indexOf("?");
  return q === -1 ? "" : url.slice(q + 1);
}

export function html(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).type(HTML).send(body);
}

export function deliver(reply: FastifyReply, outbound: Outbound) {
  if (outbound.kind === "redirect") return reply.redirect(outbound.location, 302);
  return html(reply, 200, outbound.html);
}

/** Salesforce's page for a URL that is not this org's. */
export function notThisOrg(reply: FastifyReply) {
  return html(reply, 404, messagePage("URL No Longer Exists", "The login URL does not belong to this org."));
}
