import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { AuthenticationSource } from "../../domain/ports.ts";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../../services/context.ts";
import { showSignIn, submitSignIn } from "../../services/sso/flow.ts";
import { noteSsoOutcome } from "../observe.ts";
import { messagePageFor, sendOutcome } from "./outcome.ts";
import { assertString, browserCookies, formFields } from "./respond.ts";

/**
 * A sign-in POST that a browser says came from another site. `Sec-Fetch-Site` and `Origin` are
 * set by the browser and cannot be forged by a page; a client that sends neither is not a
 * browser, and so cannot be the victim of a cross-site post. The form's cookie binding holds
 * either way; this refuses the post before any password is tried.
 */
const isCrossSite = (request: FastifyRequest, baseUrl: string): boolean => {
  const site = request.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  return origin !== new URL(baseUrl).origin && origin !== `${request.protocol}://${request.host}`;
};

export const loginRoutes =
  (context: ServiceContext, source: AuthenticationSource, secure: boolean): FastifyPluginAsync =>
  async (app) => {
    app.get("/idp/login", async (request, reply) =>
      sendOutcome(reply, showSignIn(context, browserCookies(request)), secure),
    );

    app.post("/idp/login", async (request, reply) => {
      if (isCrossSite(request, context.baseUrl)) throw new AppError("LOGIN_CROSS_SITE");
      const body = formFields(request.body);
      const outcome = await submitSignIn(context, source, {
        resume: assertString(body.resume, "resume"),
        username: (assertString(body.username, "username") ?? "").trim().slice(0, 256),
        password: (assertString(body.password, "password") ?? "").slice(0, 1024),
        address: request.ip,
        browser: browserCookies(request),
      });
      if (outcome.kind === "signed-in") {
        noteSsoOutcome(reply, outcome);
        return messagePageFor(
          reply,
          outcome.session,
          secure,
          "Signed in",
          "You are signed in. You can close this page.",
        );
      }
      return sendOutcome(reply, outcome, secure);
    });
  };
