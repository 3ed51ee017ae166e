import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { decodePost } from "../../saml/bindings/post.ts";
import { decodeRedirect } from "../../saml/bindings/redirect.ts";
import type { ServiceContext } from "../../services/context.ts";
import { bindingLimits } from "../../services/sso/limits.ts";
import { receiveLogoutMessage, type SloOutcome, startIdpInitiatedLogout } from "../../services/sso/slo.ts";
import { messagePageFor } from "./outcome.ts";
import { clearSessionCookie, formFields, rawQuery, sendAutoPost, sessionCookie } from "./respond.ts";

export const logoutWalkCookie = "PORTICO_SLO";

const send = (reply: FastifyReply, outcome: SloOutcome, secure: boolean) => {
  if (outcome.sessionEnded) clearSessionCookie(reply, secure);
  if (outcome.kind !== "done") {
    if (outcome.walk === undefined) reply.clearCookie(logoutWalkCookie, { path: "/idp" });
    else {
      reply.setCookie(logoutWalkCookie, outcome.walk, {
        path: "/idp",
        httpOnly: true,
        secure,
        sameSite: secure ? "none" : "lax",
        maxAge: 300,
      });
    }
  } else reply.clearCookie(logoutWalkCookie, { path: "/idp" });
  switch (outcome.kind) {
    case "redirect":
      return reply.header("Cache-Control", "no-store").redirect(outcome.location, 302);
    case "post":
      return sendAutoPost(reply, outcome.action, outcome.fields);
    case "done":
      return messagePageFor(
        reply,
        undefined,
        secure,
        "Signed out",
        outcome.partial
          ? "You are signed out of Portico, but not every application confirmed it: close the browser to be sure."
          : "You are signed out of Portico and of the applications you used.",
      );
  }
};

export const sloRoutes =
  (context: ServiceContext, secure: boolean): FastifyPluginAsync =>
  async (app) => {
    app.get("/idp/startSLO.ping", async (request, reply) =>
      send(reply, await startIdpInitiatedLogout(context, request.cookies[sessionCookie]), secure),
    );

    app.get("/idp/SLO.saml2", async (request, reply) => {
      const query = rawQuery(request);
      const outcome = await receiveLogoutMessage(
        context,
        decodeRedirect(query, bindingLimits),
        request.cookies[sessionCookie],
        request.cookies[logoutWalkCookie],
      );
      return send(reply, outcome, secure);
    });

    app.post("/idp/SLO.saml2", async (request, reply) => {
      const outcome = await receiveLogoutMessage(
        context,
        decodePost(formFields(request.body), bindingLimits),
        request.cookies[sessionCookie],
        request.cookies[logoutWalkCookie],
      );
      return send(reply, outcome, secure);
    });
  };
