import { randomBytes } from "node:crypto";
import type { ConfigField } from "../../domain/sp-connection.ts";
import { AppError, isAppError } from "../../lib/errors.ts";
import { parseSalesforceDomain } from "../../provisioning/salesforce/domain.ts";
import { authorizeUrl, pkcePair, requestToken } from "../../provisioning/salesforce/oauth.ts";
import { defaultSalesforceDomain } from "../../provisioning/salesforce/settings.ts";
import { recordAudit } from "../audit.ts";
import { revealTargetSetting } from "../connection-secrets.ts";
import { getConnection, updateConnection } from "../connections.ts";
import type { Actor, ServiceContext } from "../context.ts";
import {
  forgetSalesforceTarget,
  readSalesforceTarget,
  salesforceConnection,
  salesforceTargetFor,
  tokenPersistence,
} from "./target.ts";

/**
 * "Connect to Salesforce": the web server flow with PKCE (RFC 7636) on the admin listener, so an
 * admin gets tokens without any outside service. The PKCE verifier travels sealed inside `state`,
 * which is bound to the connection and the admin, lives ten minutes and serves once (the replay
 * cache, in the database, refuses it on every node afterwards).
 */

const stateLifetimeMs = 10 * 60 * 1000;
const stateSeal = "provisioning.connectState";

type State = {
  /** connection id */ c: string;
  /** actor name and kind */ a: string;
  k: Actor["kind"];
  /** PKCE verifier */ v: string;
  /** redirect URI */ r: string;
  /** expiry, epoch ms */ e: number;
  /** single-use nonce */ n: string;
};

const plain = (settings: readonly ConfigField[], name: string) =>
  settings.find((s) => s.name === name)?.value?.trim() || undefined;

/** Where Salesforce sends the admin's browser, and what it takes to finish there. */
export const startSalesforceConnect = async (
  context: ServiceContext,
  actor: Actor,
  connectionId: string,
  redirectUri: string,
): Promise<{ authorizeUrl: string; redirectUri: string; expiresAt: string }> => {
  const { settings } = await salesforceConnection(context, connectionId);
  const clientId = plain(settings, "CLIENT_ID");
  const secret = settings.find((s) => s.name === "CLIENT_SECRET");
  const hasSecret = secret?.encryptedValue !== undefined || (secret?.value ?? "") !== "";
  // The refresh token grant that follows authenticates the app with its secret.
  if (clientId === undefined || !hasSecret) {
    const name = clientId === undefined ? "CLIENT_ID" : "CLIENT_SECRET";
    throw new AppError("PROV_TARGET_INCOMPLETE", {
      message: `outboundProvision.targetSettings (${name}): set the connected app's ${name === "CLIENT_ID" ? "Consumer Key" : "Consumer Secret"} before connecting.`,
      details: [{ field: `outboundProvision.targetSettings (${name})`, message: "is required to connect" }],
    });
  }
  const domain = parseSalesforceDomain(plain(settings, "SALESFORCE_DOMAIN") ?? defaultSalesforceDomain);
  if ("problem" in domain) {
    throw new AppError("CONN_INVALID", {
      message: `outboundProvision.targetSettings (SALESFORCE_DOMAIN): ${domain.problem}`,
    });
  }
  const pkce = pkcePair();
  const expiresAt = context.clock.now().getTime() + stateLifetimeMs;
  const state: State = {
    c: connectionId,
    a: actor.name,
    k: actor.kind,
    v: pkce.verifier,
    r: redirectUri,
    e: expiresAt,
    n: randomBytes(16).toString("base64url"),
  };
  await recordAudit(context.store.auditLog, context.clock, actor, "provisioning.connect.start", {
    type: "spConnection",
    id: connectionId,
  });
  return {
    authorizeUrl: authorizeUrl(
      { origin: domain.origin, clientId },
      {
        redirectUri,
        state: context.secretBox.seal(JSON.stringify(state), stateSeal),
        codeChallenge: pkce.challenge,
      },
    ),
    redirectUri,
    expiresAt: new Date(expiresAt).toISOString(),
  };
};

const openState = (context: ServiceContext, text: string | undefined): State => {
  try {
    const state = JSON.parse(context.secretBox.openText(text ?? "", stateSeal)) as State;
    if (typeof state.c === "string" && typeof state.v === "string" && typeof state.e === "number")
      return state;
  } catch {
    // Altered, foreign or missing: the same answer for each.
  }
  throw new AppError("PROV_CONNECT_STATE_INVALID");
};

export type ConnectCallback = {
  readonly code?: string | undefined;
  readonly state?: string | undefined;
  readonly error?: string | undefined;
  readonly errorDescription?: string | undefined;
};

export type ConnectResult = {
  readonly connectionId: string;
  readonly connectionName: string;
  readonly username: string | undefined;
  readonly instanceUrl: string;
};

/**
 * The browser's return from Salesforce: checks the state, exchanges the code with the verifier,
 * stores the tokens sealed in the connection (AUTH_METHOD becomes REFRESH_TOKEN) and in the token
 * store, and audits it under the admin who started.
 */
export const completeSalesforceConnect = async (
  context: ServiceContext,
  callback: ConnectCallback,
): Promise<ConnectResult> => {
  const state = openState(context, callback.state);
  const now = context.clock.now();
  if (now.getTime() > state.e) throw new AppError("PROV_CONNECT_STATE_EXPIRED");
  const fresh = await context.store.replayCache.remember(
    `provisioning-connect:${state.n}`,
    new Date(state.e).toISOString(),
    now.toISOString(),
  );
  if (!fresh) throw new AppError("PROV_CONNECT_STATE_USED");
  const actor: Actor = { name: state.a, kind: state.k };
  const audit = (outcome: "SUCCESS" | "FAILURE", detail: Record<string, unknown>) =>
    recordAudit(
      context.store.auditLog,
      context.clock,
      actor,
      "provisioning.connect.complete",
      { type: "spConnection", id: state.c },
      detail,
      outcome,
    );
  const fail = async (error: unknown): Promise<never> => {
    await audit("FAILURE", { code: isAppError(error) ? error.code : "INTERNAL" });
    throw error;
  };
  if (callback.error !== undefined) {
    // Salesforce's error_description is shown as text, never as markup (the page escapes it).
    return fail(
      new AppError("PROV_CONNECT_DENIED", {
        message: `Salesforce answered ${callback.error}${callback.errorDescription ? `: ${callback.errorDescription}` : ""}.`,
      }),
    );
  }
  if (callback.code === undefined || callback.code === "") {
    return fail(
      new AppError("PROV_CONNECT_STATE_INVALID", { message: "Salesforce sent no authorization code." }),
    );
  }
  try {
    const { record, settings } = await salesforceConnection(context, state.c);
    const clientId = plain(settings, "CLIENT_ID") ?? "";
    const secretField = settings.find((s) => s.name === "CLIENT_SECRET");
    const domain = parseSalesforceDomain(plain(settings, "SALESFORCE_DOMAIN") ?? defaultSalesforceDomain);
    if ("problem" in domain) throw new AppError("CONN_INVALID");
    const tokens = await requestToken(
      {
        origin: domain.origin,
        clientId,
        clientSecret: secretField === undefined ? undefined : revealTargetSetting(context, secretField),
      },
      { type: "authorization_code", code: callback.code, redirectUri: state.r, codeVerifier: state.v },
      { timeoutMs: 30_000 },
    );
    if (tokens.refreshToken === undefined) throw new AppError("PROV_CONNECT_NO_REFRESH_TOKEN");
    const document = await getConnection(context, state.c);
    const target = document.outboundProvision;
    if (target === undefined) throw new AppError("PROV_TARGET_NOT_CONFIGURED");
    const put = (name: string, value: string) => {
      target.targetSettings = [...target.targetSettings.filter((s) => s.name !== name), { name, value }];
    };
    put("AUTH_METHOD", "REFRESH_TOKEN");
    put("OAUTH_ACCESS_TOKEN", tokens.accessToken);
    put("OAUTH_REFRESH_TOKEN", tokens.refreshToken);
    await updateConnection(context, actor, state.c, document);
    const updated = await context.store.connections.get(state.c);
    if (updated === undefined) throw new AppError("CONN_NOT_FOUND");
    // The session just granted, so the first provisioning call needs no refresh.
    await tokenPersistence(context, state.c, readSalesforceTarget(context, updated)).save(tokens);
    forgetSalesforceTarget(context, state.c);
    const username = await userOf(context, state.c, tokens.identityUrl);
    await audit("SUCCESS", { instanceUrl: tokens.instanceUrl, username: username ?? null });
    return { connectionId: state.c, connectionName: record.name, username, instanceUrl: tokens.instanceUrl };
  } catch (error) {
    return fail(error);
  }
};

/** The API user's username from the identity URL (§1.7), for the page; undefined when it cannot tell. */
const userOf = async (context: ServiceContext, connectionId: string, identityUrl: string | undefined) => {
  if (identityUrl === undefined) return undefined;
  const { client } = await salesforceTargetFor(context, connectionId);
  const identity = await client.request<{ username?: unknown }>("GET", identityUrl).catch(() => undefined);
  return typeof identity?.username === "string" ? identity.username : undefined;
};
