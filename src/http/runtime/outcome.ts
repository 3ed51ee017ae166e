import { randomBytes } from "node:crypto";
import type { FastifyReply } from "fastify";
import type { SsoOutcome } from "../../services/sso/flow.ts";
import type { LiveSession } from "../../services/sso/sessions.ts";
import { noteSsoOutcome } from "../observe.ts";
import { setPageCsp } from "../security-headers.ts";
import { messagePage } from "./pages.ts";
import { sendAutoPost, sendLogin, setLoginCookie, setSessionCookie } from "./respond.ts";

/** Renders what the SSO flow decided: the sign-in form, or the auto-POST to the SP. */
export const sendOutcome = (reply: FastifyReply, outcome: SsoOutcome, secure: boolean) => {
  noteSsoOutcome(reply, outcome);
  switch (outcome.kind) {
    case "login":
      setLoginCookie(reply, outcome.loginToken, secure);
      return sendLogin(
        reply,
        {
          resume: outcome.resume,
          partnerName: outcome.partnerName,
          error: outcome.error,
          username: outcome.username,
        },
        outcome.error ? 401 : 200,
      );
    case "post":
      setSessionCookie(reply, outcome.session, secure);
      return sendAutoPost(reply, outcome.action, outcome.fields);
    case "post-error":
      reply.log.info({ code: outcome.code }, "SAML error response sent to the SP");
      return sendAutoPost(reply, outcome.action, outcome.fields);
    case "signed-in":
      setSessionCookie(reply, outcome.session, secure);
      return reply.status(204).send();
  }
};

export const messagePageFor = (
  reply: FastifyReply,
  session: LiveSession | undefined,
  secure: boolean,
  title: string,
  message: string,
) => {
  if (session) setSessionCookie(reply, session, secure);
  const nonce = randomBytes(16).toString("base64");
  return setPageCsp(reply, nonce, undefined)
    .header("Cache-Control", "no-store")
    .type("text/html; charset=utf-8")
    .send(messagePage({ nonce, title, message }));
};
