import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendToIdp } from "./authn-request.ts";
import { URN } from "./constants.ts";
import { deliver, html, param, rawQuery, type SpContext } from "./http.ts";
import { buildLogoutRequest, buildLogoutResponse, newMessageId, readInboundLogout } from "./logout.ts";
import { messagePage } from "./pages.ts";
import { clearedSessionCookie, sessionIdFromCookie } from "./sessions.ts";
import { LOGOUT_PATH, SLO_PATH, sloUrl } from "./urls.ts";

/** Single logout: the SP's SLO endpoint and the user's logout link. */
export function registerLogoutRoutes(app: FastifyInstance, ctx: SpContext): void {
  const { store } = ctx;

  async function singleLogout(
    request: FastifyRequest,
    reply: FastifyReply,
    binding: "HTTP-Redirect" | "HTTP-POST",
  ) {
    const settings = store.settings;
    const view = ctx.view();
    const source = binding === "HTTP-Redirect" ? request.query : request.body;
    const samlRequest = param(source, "SAMLRequest");
    const samlResponse = param(source, "SAMLResponse");
    const relayState = param(source, "RelayState");
    const unable = (detail: string) => html(reply, 400, messagePage("We are unable to log you out", detail));
    if (!settings) return unable("Single logout is not configured for this org.");
    const messageParam = samlRequest !== undefined ? "SAMLRequest" : "SAMLResponse";
    const value = samlRequest ?? samlResponse;
    if (value === undefined) return unable("No SAMLRequest or SAMLResponse.");
    const read = readInboundLogout({
      binding,
      param: messageParam,
      value,
      rawQuery: rawQuery(request),
      settings,
      sloUrl: sloUrl(view),
    });
    const message = messageParam === "SAMLRequest" ? "LogoutRequest" : "LogoutResponse";
    const time = view.now().toISOString();
    if (!read.ok) {
      store.recordLogout({
        time,
        initiator: message === "LogoutRequest" ? "idp" : "sp",
        message,
        ok: false,
        detail: read.reason,
        endedSessions: 0,
      });
      return unable(read.reason);
    }
    const logout = read.logout;
    if (logout.message === "LogoutResponse") {
      const sent =
        logout.inResponseTo !== undefined
          ? store.issuedRequest(logout.inResponseTo, "LogoutRequest")
          : undefined;
      const ok = sent !== undefined && logout.statusCode === URN.success;
      if (sent) store.consumeRequest(sent.id);
      const detail = !sent
        ? "InResponseTo does not match a LogoutRequest this org sent"
        : `IdP answered ${logout.statusCode ?? "no status"}`;
      store.recordLogout({ time, initiator: "sp", message, ok, detail, endedSessions: 0 });
      return ok ? html(reply, 200, messagePage("Logged out", "You have logged out.")) : unable(detail);
    }

    const ended = store.endSessionsFor(logout.issuer, logout.nameId ?? "", logout.sessionIndexes);
    store.recordLogout({
      time,
      initiator: "idp",
      message,
      ok: true,
      detail: `ended ${ended.length} session(s)`,
      ...(logout.nameId !== undefined ? { nameId: logout.nameId } : {}),
      endedSessions: ended.length,
    });
    const cookieSession = sessionIdFromCookie(request.headers.cookie);
    if (cookieSession !== undefined && ended.some((s) => s.id === cookieSession)) {
      reply.header("set-cookie", clearedSessionCookie());
    }
    if (settings.idpLogoutUrl === undefined) {
      return html(reply, 200, messagePage("Logged out", `Ended ${ended.length} session(s).`));
    }
    const keys = await ctx.keys();
    const xml = buildLogoutResponse({
      id: newMessageId(),
      issueInstant: view.now(),
      destination: settings.idpLogoutUrl,
      issuer: settings.entityId,
      inResponseTo: logout.id,
      statusCode: URN.success,
    });
    return deliver(
      reply,
      sendToIdp({
        xml,
        rootLocalName: "LogoutResponse",
        param: "SAMLResponse",
        destination: settings.idpLogoutUrl,
        binding: "HTTP-Redirect",
        ...(relayState !== undefined ? { relayState } : {}),
        settings,
        keys,
      }),
    );
  }

  app.get(SLO_PATH, async (request, reply) => singleLogout(request, reply, "HTTP-Redirect"));
  app.post(SLO_PATH, async (request, reply) => singleLogout(request, reply, "HTTP-POST"));

  // SP-initiated logout: end the browser's session and, when the IdP has a logout URL, send it
  // a signed LogoutRequest (always HTTP-Redirect).
  app.get(LOGOUT_PATH, async (request, reply) => {
    const view = ctx.view();
    const sid = sessionIdFromCookie(request.headers.cookie);
    const session = sid !== undefined ? store.session(sid) : undefined;
    if (sid !== undefined) store.endSession(sid);
    reply.header("set-cookie", clearedSessionCookie());
    const settings = store.settings;
    const idpLogoutUrl = settings?.idpLogoutUrl;
    if (!session || !settings || idpLogoutUrl === undefined) {
      if (session) {
        store.recordLogout({
          time: view.now().toISOString(),
          initiator: "sp",
          message: "LogoutRequest",
          ok: true,
          detail: "session ended locally; no IdP logout URL configured",
          nameId: session.nameId,
          endedSessions: 1,
        });
      }
      return html(reply, 200, messagePage("Logged out", "You have logged out."));
    }
    const keys = await ctx.keys();
    const id = newMessageId();
    const now = view.now();
    store.issue({
      id,
      kind: "LogoutRequest",
      acsUrl: sloUrl(view),
      destination: idpLogoutUrl,
      binding: "HTTP-Redirect",
      issuedAt: now.toISOString(),
    });
    store.recordLogout({
      time: now.toISOString(),
      initiator: "sp",
      message: "LogoutRequest",
      ok: true,
      detail: "session ended; LogoutRequest sent to the IdP",
      nameId: session.nameId,
      endedSessions: 1,
    });
    const xml = buildLogoutRequest({
      id,
      issueInstant: now,
      destination: idpLogoutUrl,
      issuer: settings.entityId,
      nameId: session.nameId,
      ...(session.sessionIndex !== undefined ? { sessionIndex: session.sessionIndex } : {}),
    });
    return deliver(
      reply,
      sendToIdp({
        xml,
        rootLocalName: "LogoutRequest",
        param: "SAMLRequest",
        destination: idpLogoutUrl,
        binding: "HTTP-Redirect",
        settings,
        keys,
      }),
    );
  });
}
