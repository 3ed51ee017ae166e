import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { normalizeId } from "../ids.ts";
import { type AuthorizeResult, authorizeDecision, authorizePage } from "../oauth/authorize.ts";
import { OAuthError } from "../oauth/errors.ts";
import { identityInfo } from "../oauth/identity.ts";
import { handleTokenRequest } from "../oauth/token-endpoint.ts";
import type { EmulatorState } from "../state.ts";
import { parseForm, queryParams } from "./body.ts";

/** `/services/oauth2/*` and the identity URL (salesforce-api.md §1). */

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function params(req: FastifyRequest): Record<string, string> {
  return { ...queryParams(req.url), ...parseForm(req.body, header(req, "content-type")) };
}

function sendAuthorize(reply: FastifyReply, result: AuthorizeResult): FastifyReply {
  if (result.kind === "redirect") return reply.redirect(result.location, 302);
  return reply.code(result.status).type("text/html;charset=UTF-8").send(result.html);
}

function oauthFailure(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof OAuthError) return reply.code(err.status).send(err.toBody());
  throw err;
}

/**
 * The session a request carries: `Authorization: Bearer|OAuth <token>`, or for the identity URL the
 * `oauth_token` query parameter Salesforce also takes there (jsforce's identity() sends both).
 */
function session(state: EmulatorState, req: FastifyRequest, allowQuery = false) {
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header(req, "authorization") ?? "");
  const token = match?.[1] ?? (allowQuery ? queryParams(req.url).oauth_token : undefined);
  return token === undefined ? undefined : state.tokens.session(token, state.org.clock().getTime());
}

export function registerOAuth(scope: FastifyInstance, state: EmulatorState): void {
  scope.post("/services/oauth2/token", async (req, reply) => {
    try {
      const body = handleTokenRequest(
        { org: state.org, tokens: state.tokens },
        { params: params(req), authorization: header(req, "authorization"), host: header(req, "host") },
      );
      return reply.header("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private").send(body);
    } catch (err) {
      return oauthFailure(reply, err);
    }
  });

  scope.get("/services/oauth2/authorize", async (req, reply) =>
    sendAuthorize(reply, authorizePage(state.org, params(req))),
  );
  scope.post("/services/oauth2/authorize", async (req, reply) =>
    sendAuthorize(reply, authorizeDecision(state.org, state.tokens, params(req))),
  );

  const revoke = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const token = params(req).token;
    if (token === undefined) {
      return reply
        .code(400)
        .send({ error: "unsupported_token_type", error_description: "this token type is not supported" });
    }
    if (!state.tokens.revoke(token)) {
      return reply.code(400).send({ error: "invalid_token", error_description: "invalid token" });
    }
    return reply.code(200).send();
  };
  scope.post("/services/oauth2/revoke", revoke);
  scope.get("/services/oauth2/revoke", revoke);

  scope.get("/services/oauth2/userinfo", async (req, reply) => {
    const caller = session(state, req);
    const info = caller === undefined ? undefined : identityInfo(state.org, caller.userId, undefined);
    if (info === undefined) return reply.code(403).send("Bad_OAuth_Token");
    return reply.send({
      sub: info.id,
      user_id: info.user_id,
      organization_id: info.organization_id,
      preferred_username: info.username,
      nickname: info.nick_name,
      name: info.display_name,
      email: info.email,
      email_verified: true,
      given_name: info.first_name,
      family_name: info.last_name,
      zoneinfo: info.timezone,
      locale: info.locale,
      user_type: info.user_type,
      active: info.active,
    });
  });

  scope.get("/id/:orgId/:userId", async (req, reply) => {
    const { orgId, userId } = req.params as { orgId: string; userId: string };
    if (session(state, req, true) === undefined) return reply.code(403).send("Bad_OAuth_Token");
    const id = normalizeId(userId);
    const info =
      normalizeId(orgId) === state.org.settings.orgId && id !== undefined
        ? identityInfo(state.org, id, queryParams(req.url).version)
        : undefined;
    if (info === undefined) return reply.code(404).send("Bad_Id");
    return reply.send(info);
  });
}
