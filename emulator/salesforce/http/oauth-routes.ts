import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { normalizeId } from "../ids.ts";
import { type AuthorizeResult, authorizeDecision, authorizePage } from "../oauth/authorize.ts";
import { OAuthError } from "../oauth/errors.ts";
import { handleTokenRequest } from "../oauth/token-endpoint.ts";
import type { EmulatorState } from "../state.ts";
import { formatDateTime } from "../values.ts";
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

function bearer(state: EmulatorState, req: FastifyRequest) {
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header(req, "authorization") ?? "");
  return match === null ? undefined : state.tokens.session(match[1] ?? "", state.org.clock().getTime());
}

function identity(state: EmulatorState, userId: string): Record<string, unknown> | undefined {
  const org = state.org;
  const user = org.get("User", userId);
  if (user === undefined) return undefined;
  const base = `${org.instanceUrl}/services/data/v{version}`;
  return {
    id: `${org.loginUrl}/id/${org.settings.orgId}/${user.Id}`,
    asserted_user: true,
    user_id: user.Id,
    organization_id: org.settings.orgId,
    username: user.Username,
    nick_name: user.CommunityNickname,
    display_name: user.Name,
    email: user.Email,
    email_verified: true,
    first_name: user.FirstName,
    last_name: user.LastName,
    timezone: user.TimeZoneSidKey,
    active: user.IsActive,
    user_type: String(user.UserType ?? "Standard").toUpperCase(),
    language: user.LanguageLocaleKey,
    locale: user.LocaleSidKey,
    utcOffset: 0,
    last_modified_date: String(user.LastModifiedDate ?? formatDateTime(org.clock())).replace("+0000", "Z"),
    urls: {
      rest: `${base}/`,
      sobjects: `${base}/sobjects/`,
      query: `${base}/query/`,
      profile: `${org.instanceUrl}/${user.Id}`,
    },
  };
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
    const session = bearer(state, req);
    const info = session === undefined ? undefined : identity(state, session.userId);
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
    const session = bearer(state, req);
    if (session === undefined) return reply.code(403).send("Bad_OAuth_Token");
    const id = normalizeId(userId);
    const info =
      normalizeId(orgId) === state.org.settings.orgId && id !== undefined ? identity(state, id) : undefined;
    if (info === undefined) return reply.code(404).send("Bad_Id");
    return reply.send(info);
  });
}
