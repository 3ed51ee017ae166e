import formbody from "@fastify/formbody";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { faultResponse } from "./faults.ts";
import { registerControl } from "./http/control-routes.ts";
import { registerOAuth } from "./http/oauth-routes.ts";
import { registerRest } from "./http/rest-routes.ts";
import type { AccessToken, RefreshToken } from "./oauth/tokens.ts";
import type { Org } from "./org.ts";
import {
  type OrgOptions,
  type OrgState,
  orgFromJSON,
  orgToJSON,
  type ResolvedOptions,
  resolveOptions,
} from "./org-factory.ts";
import { createSamlSp } from "./saml/index.ts";
import { samlView } from "./saml-view.ts";
import { EmulatorState } from "./state.ts";
import { classify, redact, redactUrl } from "./traffic.ts";
import { isPlainObject } from "./values.ts";

/**
 * An emulated Salesforce org as a Fastify app (issue 4): OAuth, the REST API, the SAML service
 * provider and the control API, usable in-process (`app.inject`) or on a socket (`listen`).
 */

export type EmulatorOptions = {
  clock?: () => Date;
  tokenLifetimeSeconds?: number;
  rotateRefreshTokens?: boolean;
  /** Org id, My Domain, app credentials, admin username, licence totals…; random where not given. */
  seed?: Omit<OrgOptions, "clock" | "baseUrl" | "tokenLifetimeSeconds" | "rotateRefreshTokens">;
  /** Fixed base URL (instance and login URL); otherwise the address `listen` binds. */
  baseUrl?: string;
  /** Saved state (`toJSON()` of an earlier run) to start from instead of a fresh seed. */
  state?: unknown;
  https?: { key: string; cert: string };
};

export type Emulator = {
  app: FastifyInstance;
  /** The current org; a reset replaces it, so read it again after one. */
  readonly org: Org;
  readonly baseUrl: string;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  reset(): void;
  toJSON(): EmulatorSnapshot;
};

export type EmulatorSnapshot = {
  format: "portico-salesforce-emulator/1";
  options: ResolvedOptions;
  org: OrgState;
  tokens: { access: AccessToken[]; refresh: RefreshToken[] };
  saml: unknown;
};

function isSnapshot(value: unknown): value is EmulatorSnapshot {
  return isPlainObject(value) && value.format === "portico-salesforce-emulator/1";
}

function parsedBody(req: FastifyRequest): unknown {
  if (typeof req.body !== "string") return req.body ?? null;
  const type = String(req.headers["content-type"] ?? "");
  if (type.includes("json")) {
    try {
      return JSON.parse(req.body);
    } catch {
      return req.body;
    }
  }
  if (type.includes("x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(req.body));
  return req.body === "" ? null : req.body;
}

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const clock = options.clock ?? (() => new Date());
  const snapshot = isSnapshot(options.state) ? options.state : undefined;
  const resolved =
    snapshot?.options ??
    resolveOptions({
      clock,
      baseUrl: "",
      ...options.seed,
      ...(options.tokenLifetimeSeconds === undefined
        ? {}
        : { tokenLifetimeSeconds: options.tokenLifetimeSeconds }),
      ...(options.rotateRefreshTokens === undefined
        ? {}
        : { rotateRefreshTokens: options.rotateRefreshTokens }),
    });
  const initialBase = options.baseUrl ?? "http://127.0.0.1";
  const state = new EmulatorState(
    clock,
    initialBase,
    resolved,
    snapshot === undefined ? undefined : orgFromJSON(clock, initialBase, snapshot.org),
  );
  if (snapshot !== undefined) state.tokens.load(snapshot.tokens);

  const app = (options.https === undefined
    ? Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 64 * 1024 * 1024 })
    : Fastify({
        logger: false,
        forceCloseConnections: true,
        bodyLimit: 64 * 1024 * 1024,
        https: options.https,
      })) as unknown as FastifyInstance;

  const saml = createSamlSp(() => samlView(state));
  if (snapshot !== undefined) saml.load(snapshot.saml);
  state.onReset.push(() => saml.reset());

  const toJSON = (): EmulatorSnapshot => ({
    format: "portico-salesforce-emulator/1",
    options: state.options,
    org: orgToJSON(state.org),
    tokens: state.tokens.toJSON(),
    saml: saml.toJSON(),
  });

  // Every request but the control API's goes to the log, with credentials redacted.
  app.addHook("onResponse", async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.url.startsWith("/_emulator/")) return;
    const body = parsedBody(req);
    state.traffic.record({
      time: state.org.clock().toISOString(),
      method: req.method,
      path: redactUrl(req.url),
      kind: classify(req.method, req.url, body),
      status: reply.statusCode,
      body: redact(body),
    });
  });

  const hanging = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          hanging.delete(entry);
          resolve();
        }, ms),
        done: resolve,
      };
      hanging.add(entry);
    });

  void app.register(formbody);
  void app.register(async (scope) => {
    // Salesforce's own routes read raw bodies: JSON errors and 415s are theirs to shape.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));
    scope.addHook("preHandler", async (req, reply) => {
      if (req.url.startsWith("/_emulator/")) return;
      if (state.faults.latencyMs > 0) await wait(state.faults.latencyMs);
      const fault = state.faults.take(req.method, req.url);
      if (fault === undefined) return;
      if (fault.kind === "slow" || fault.kind === "locked-record") {
        await wait(fault.hangMs);
        return;
      }
      if (fault.kind === "hang") await wait(fault.hangMs);
      const r = faultResponse(fault.kind === "hang" ? "503" : fault.kind);
      if (req.url.startsWith("/services/oauth2/")) {
        return reply.code(r.status).send({ error: r.errorCode.toLowerCase(), error_description: r.message });
      }
      return reply.code(r.status).send([{ message: r.message, errorCode: r.errorCode }]);
    });
    registerRest(scope, state);
    registerOAuth(scope, state);
    registerControl(scope, state, toJSON);
  });
  saml.register(app);

  return {
    app,
    get org() {
      return state.org;
    },
    get baseUrl() {
      return state.org.baseUrl;
    },
    async listen(port = 0, host = "127.0.0.1") {
      await app.listen({ port, host });
      const address = app.server.address();
      const bound = typeof address === "object" && address !== null ? address.port : port;
      const shownHost =
        host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
      if (options.baseUrl === undefined) {
        state.org.baseUrl = `${options.https === undefined ? "http" : "https"}://${shownHost}:${bound}`;
      }
      return state.org.baseUrl;
    },
    async close() {
      for (const h of hanging) {
        clearTimeout(h.timer);
        h.done();
      }
      hanging.clear();
      await app.close();
    },
    reset() {
      state.reset();
    },
    toJSON,
  };
}
