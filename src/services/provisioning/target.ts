import { createHash } from "node:crypto";
import type { ConnectionRecord } from "../../domain/ports.ts";
import type { ConfigField } from "../../domain/sp-connection.ts";
import { AppError, isAppError } from "../../lib/errors.ts";
import { createSalesforceClient, type SalesforceClient } from "../../provisioning/salesforce/client.ts";
import { signJwtAssertion } from "../../provisioning/salesforce/jwt.ts";
import { type OAuthClient, requestToken, type TokenResponse } from "../../provisioning/salesforce/oauth.ts";
import { parseSalesforceTarget, type SalesforceTarget } from "../../provisioning/salesforce/target.ts";
import {
  createTokenManager,
  type StoredTokens,
  type TokenManager,
  type TokenPersistence,
} from "../../provisioning/salesforce/token-manager.ts";
import { revealTargetSetting } from "../connection-secrets.ts";
import type { ServiceContext } from "../context.ts";
import { loadSigningKeyPair } from "../keys.ts";
import { salesforceSettingsOf } from "./target-settings.ts";

/**
 * A connection's Salesforce target as the engine uses it: the typed settings, a token manager and
 * a REST client, one of each per connection and process, replaced when the settings change. The
 * tokens are kept sealed in the store (provisioning_tokens), so every node and every restart
 * continue with the newest refresh token.
 */

export type SalesforceTargetHandle = {
  readonly connectionId: string;
  readonly target: SalesforceTarget;
  readonly tokens: TokenManager;
  readonly client: SalesforceClient;
};

const tokenTimeoutMs = 30_000;
const sealContext = (connectionId: string) => `provisioning.tokens:${connectionId}`;

/**
 * What a stored session belongs to: the org, the app and the grant's own credential. When the
 * admin changes one of them (a new refresh token, Connect to Salesforce again), stored tokens are
 * stale. The client secret and the JWT key are left out: rotating them keeps the session.
 */
const basisOf = (target: SalesforceTarget): string =>
  createHash("sha256")
    .update(
      JSON.stringify([
        target.authMethod,
        target.domain.origin,
        target.clientId,
        target.authMethod === "REFRESH_TOKEN" ? (target.refreshToken ?? "") : "",
        target.jwt?.username ?? "",
        target.jwt?.audience ?? "",
      ]),
    )
    .digest("base64url");

type SealedTokens = StoredTokens & { readonly basis: string };

export const tokenPersistence = (
  context: ServiceContext,
  connectionId: string,
  target: SalesforceTarget,
): TokenPersistence => {
  const basis = basisOf(target);
  return {
    load: async () => {
      const row = await context.store.provisioningTokens.get(connectionId);
      if (row === undefined) return undefined;
      const stored = JSON.parse(
        context.secretBox.openText(row.sealed, sealContext(connectionId)),
      ) as SealedTokens;
      if (stored.basis !== basis) return undefined;
      return {
        accessToken: stored.accessToken,
        refreshToken: stored.refreshToken,
        instanceUrl: stored.instanceUrl,
        identityUrl: stored.identityUrl,
      };
    },
    save: async (tokens) => {
      const sealed: SealedTokens = { ...tokens, basis };
      await context.store.provisioningTokens.put({
        connectionId,
        sealed: context.secretBox.seal(JSON.stringify(sealed), sealContext(connectionId)),
        updatedAt: context.clock.now().toISOString(),
      });
    },
  };
};

/** Re-seals a connection's stored tokens under the current master key (a rotation); whether it did. */
export const resealProvisioningTokens = async (
  context: ServiceContext,
  connectionId: string,
): Promise<boolean> => {
  const row = await context.store.provisioningTokens.get(connectionId);
  if (row === undefined || !context.secretBox.needsReseal(row.sealed)) return false;
  await context.store.provisioningTokens.put({
    ...row,
    sealed: context.secretBox.reseal(row.sealed, sealContext(connectionId)),
  });
  return true;
};

export const oauthClientOf = (target: SalesforceTarget): OAuthClient => ({
  origin: target.domain.origin,
  clientId: target.clientId,
  clientSecret: target.clientSecret,
});

const jwtAssertion = async (
  context: ServiceContext,
  target: SalesforceTarget,
  jwt: NonNullable<SalesforceTarget["jwt"]>,
) => {
  const key = await loadSigningKeyPair(context, jwt.signingKeyPairId).catch((error: unknown) => {
    if (isAppError(error) && error.code === "KEY_NOT_FOUND") {
      throw new AppError("PROV_TARGET_INCOMPLETE", {
        message: `outboundProvision.targetSettings (JWT_SIGNING_CERTIFICATE): no signing key pair "${jwt.signingKeyPairId}".`,
      });
    }
    throw error;
  });
  return signJwtAssertion({
    clientId: target.clientId,
    username: jwt.username,
    audience: jwt.audience,
    privateKeyPem: key.privateKeyPem,
    now: context.clock.now(),
  });
};

/** One token request by the connection's AUTH_METHOD. */
const grantFor =
  (context: ServiceContext, connectionId: string, target: SalesforceTarget) =>
  async (refreshToken: string | undefined): Promise<TokenResponse> => {
    const hints = {
      signingKeyPairId: target.jwt?.signingKeyPairId,
      audience: target.jwt?.audience,
      username: target.jwt?.username,
    };
    const client = oauthClientOf(target);
    try {
      switch (target.authMethod) {
        case "REFRESH_TOKEN":
          if (refreshToken === undefined) throw new AppError("PROV_TARGET_INCOMPLETE");
          return await requestToken(
            client,
            { type: "refresh_token", refreshToken },
            { timeoutMs: tokenTimeoutMs, hints },
          );
        case "CLIENT_CREDENTIALS":
          return await requestToken(
            client,
            { type: "client_credentials" },
            { timeoutMs: tokenTimeoutMs, hints },
          );
        case "JWT_BEARER": {
          if (target.jwt === undefined) throw new AppError("PROV_TARGET_INCOMPLETE");
          const assertion = await jwtAssertion(context, target, target.jwt);
          return await requestToken(
            client,
            { type: "jwt_bearer", assertion },
            { timeoutMs: tokenTimeoutMs, hints },
          );
        }
      }
    } catch (error) {
      if (isAppError(error)) {
        context.log.warn({ connectionId, code: error.code }, "Salesforce token request failed");
      }
      throw error;
    }
  };

const registries = new WeakMap<
  ServiceContext,
  Map<string, { key: string; handle: SalesforceTargetHandle }>
>();

/** The Salesforce target settings of a stored connection; throws when it has none. */
const settingsOfRecord = (record: ConnectionRecord): ConfigField[] => {
  const settings = salesforceSettingsOf(record.document);
  if (settings === undefined) {
    throw new AppError("PROV_TARGET_NOT_CONFIGURED", {
      message: `Connection "${record.name}" (${record.id}) has no Salesforce provisioning target.`,
    });
  }
  return settings;
};

/** A stored connection that provisions Salesforce, with its target settings as stored (sealed). */
export const salesforceConnection = async (context: ServiceContext, connectionId: string) => {
  const record = await context.store.connections.get(connectionId);
  if (!record)
    throw new AppError("CONN_NOT_FOUND", { message: `No SP connection with id "${connectionId}".` });
  return { record, settings: settingsOfRecord(record) };
};

/** The typed target of a stored connection, its secrets opened; throws when it cannot provision. */
export const readSalesforceTarget = (context: ServiceContext, record: ConnectionRecord): SalesforceTarget =>
  parseSalesforceTarget(settingsOfRecord(record), (field) => revealTargetSetting(context, field));

/** The connection's target, token manager and REST client (the same ones until its settings change). */
export const salesforceTargetFor = async (
  context: ServiceContext,
  connectionId: string,
): Promise<SalesforceTargetHandle> => {
  const { record } = await salesforceConnection(context, connectionId);
  const target = readSalesforceTarget(context, record);
  const key = createHash("sha256").update(JSON.stringify(target)).digest("base64url");
  let registry = registries.get(context);
  if (registry === undefined) {
    registry = new Map();
    registries.set(context, registry);
  }
  const cached = registry.get(connectionId);
  if (cached?.key === key) return cached.handle;
  const tokens = createTokenManager({
    grant: grantFor(context, connectionId, target),
    persistence: tokenPersistence(context, connectionId, target),
    configuredRefreshToken: target.refreshToken,
  });
  const handle = {
    connectionId,
    target,
    tokens,
    client: createSalesforceClient({ tokens, apiVersion: target.apiVersion }),
  };
  registry.set(connectionId, { key, handle });
  return handle;
};

/** Drops the connection's cached client: the next use starts from the store. */
export const forgetSalesforceTarget = (context: ServiceContext, connectionId: string): void => {
  registries.get(context)?.delete(connectionId);
};
