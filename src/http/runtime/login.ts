import type { FastifyPluginAsync } from "fastify";
import type { AuthenticationSource } from "../../domain/ports.ts";
import type { ServiceContext } from "../../services/context.ts";
import { submitSignIn } from "../../services/sso/flow.ts";
import { messagePageFor, sendOutcome } from "./outcome.ts";
import { assertString, sendLogin } from "./respond.ts";

export const loginRoutes =
  (context: ServiceContext, source: AuthenticationSource, secure: boolean): FastifyPluginAsync =>
  async (app) => {
    app.get("/idp/login", async (_request, reply) => sendLogin(reply, { resume: "" }));

    app.post("/idp/login", async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const outcome = await submitSignIn(context, source, {
        resume: assertString(body.resume, "resume"),
        username: (assertString(body.username, "username") ?? "").trim().slice(0, 256),
        password: (assertString(body.password, "password") ?? "").slice(0, 1024),
        address: request.ip,
      });
      if (outcome.kind === "signed-in") {
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
