import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { invalidSession, methodNotAllowed, SfError } from "../errors.ts";
import type { AccessToken } from "../oauth/tokens.ts";
import { dispatch, splitVersion, versionList } from "../rest/router.ts";
import type { RestResponse } from "../rest/types.ts";
import type { EmulatorState } from "../state.ts";
import { parseJsonBody, queryParams, rawBody } from "./body.ts";

/** `/services/data…`: authentication, the daily API quota and its header, then the router. */

const jsonType = "application/json;charset=UTF-8";

function authenticate(state: EmulatorState, header: string | undefined): AccessToken {
  if (header === undefined || header.trim() === "") throw invalidSession();
  const match = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(header);
  if (match === null) throw new SfError(401, "INVALID_AUTH_HEADER", "INVALID_HEADER_TYPE");
  const org = state.org;
  const session = state.tokens.session(match[1] ?? "", org.clock().getTime());
  if (session === undefined) throw invalidSession();
  // Deactivating or freezing a user ends their sessions.
  const user = org.get("User", session.userId);
  if (user === undefined || user.IsActive !== true || org.userLoginOf(user.Id)?.IsFrozen === true) {
    throw invalidSession();
  }
  return session;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function send(reply: FastifyReply, res: RestResponse, extra: Record<string, string>): FastifyReply {
  reply.code(res.status).headers({ ...extra, ...res.headers });
  if (res.text !== undefined) return reply.type(res.text.contentType).send(res.text.value);
  if (res.status === 204 || res.body === undefined) return reply.send();
  return reply.type(jsonType).send(JSON.stringify(res.body));
}

/** A Bulk API 2.0 upload (`PUT …/jobs/ingest/{id}/batches`) carries CSV: its handler reads the text. */
function takesCsv(method: string, rest: string): boolean {
  return method === "PUT" && /^\/jobs\/ingest\/[^/]+\/batches\/?$/.test(rest);
}

export function registerRest(scope: FastifyInstance, state: EmulatorState): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const org = state.org;
    const path = (req.url.split("?")[0] ?? "").slice("/services/data".length);
    const method = req.method === "HEAD" ? "GET" : req.method;
    // The versions list needs no session and does not count against limits (§2.1).
    if (path === "" || path === "/") {
      if (method !== "GET") return send(reply, errorResponse(methodNotAllowed(method, ["GET", "HEAD"])), {});
      return send(reply, { status: 200, body: versionList(org) }, {});
    }
    const limitHeader = (): Record<string, string> => ({
      "Sforce-Limit-Info": `api-usage=${org.settings.apiRequestsUsed}/${org.settings.dailyApiRequests}`,
    });
    try {
      const { version, rest } = splitVersion(org, path);
      const session = authenticate(state, headerValue(req.headers.authorization));
      // Every request is one call toward DailyApiRequests (§2.9).
      const countCall = (): void => {
        if (org.settings.apiRequestsUsed >= org.settings.dailyApiRequests) {
          throw new SfError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
        }
        org.settings.apiRequestsUsed++;
      };
      countCall();
      const query = queryParams(req.url);
      // Clients that cannot send PATCH may POST with ?_HttpMethod=PATCH (§2.1).
      const effective =
        method === "POST" && query._HttpMethod !== undefined ? query._HttpMethod.toUpperCase() : method;
      const contentType = headerValue(req.headers["content-type"]);
      const body = takesCsv(effective, rest) ? rawBody(req.body) : parseJsonBody(req.body, contentType);
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = headerValue(v);
      const res = dispatch(
        {
          org,
          locators: state.locators,
          jobs: state.jobs,
          userId: session.userId,
          version,
          inComposite: false,
          forceAllOrNone: false,
          isRecordLocked: () => state.faults.take(req.method, req.url, "record") !== undefined,
          countCall,
        },
        { method: effective, path: rest, query, body, headers },
      );
      return send(reply, res, limitHeader());
    } catch (err) {
      if (err instanceof SfError) return send(reply, errorResponse(err), limitHeader());
      req.log.error(err);
      return send(
        reply,
        { status: 500, body: [{ message: "An unexpected error occurred.", errorCode: "UNKNOWN_EXCEPTION" }] },
        limitHeader(),
      );
    }
  };
  const methods: ("GET" | "POST" | "PATCH" | "PUT" | "DELETE")[] = ["GET", "POST", "PATCH", "PUT", "DELETE"];
  scope.route({ method: methods, url: "/services/data", handler });
  scope.route({ method: methods, url: "/services/data/*", handler });
}

function errorResponse(err: SfError): RestResponse {
  return { status: err.status, body: err.toBody() };
}
