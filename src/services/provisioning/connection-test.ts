import { isAppError } from "../../lib/errors.ts";
import { type ConnectionCheck, checkConnection } from "../../provisioning/salesforce/connection-check.ts";
import { recordAudit } from "../audit.ts";
import type { Actor, ServiceContext } from "../context.ts";
import { getSigningKey } from "../keys.ts";
import { salesforceTargetFor } from "./target.ts";

/**
 * `POST /provisioning/connections/{id}/test`: a new token by the configured grant and the checks of
 * connection-check.ts. Success says who Portico acts as in which org; a failure is the AppError
 * whose code names the reason (wrong domain, bad client id or secret, dead refresh token, JWT not
 * approved or wrong audience, API disabled, Manage Users missing).
 */

export type ConnectionTestResult = ConnectionCheck & {
  readonly success: true;
  readonly connectionId: string;
  readonly authMethod: string;
  readonly salesforceDomain: string;
  /** JWT bearer only: the certificate the connected app must hold. */
  readonly jwtSigningCertificate?: {
    readonly keyPairId: string;
    readonly sha256Fingerprint: string;
    readonly download: string;
  };
};

export const testSalesforceConnection = async (
  context: ServiceContext,
  actor: Actor,
  connectionId: string,
): Promise<ConnectionTestResult> => {
  const audit = (outcome: "SUCCESS" | "FAILURE", detail: Record<string, unknown>) =>
    recordAudit(
      context.store.auditLog,
      context.clock,
      actor,
      "provisioning.target.test",
      { type: "spConnection", id: connectionId },
      detail,
      outcome,
    );
  try {
    const { target, tokens, client } = await salesforceTargetFor(context, connectionId);
    const check = await checkConnection(client, tokens);
    const jwt = target.jwt;
    const certificate =
      jwt === undefined
        ? undefined
        : {
            keyPairId: jwt.signingKeyPairId,
            sha256Fingerprint: (await getSigningKey(context, jwt.signingKeyPairId)).sha256Fingerprint,
            download: `/pf-admin-api/v1/keyPairs/signing/${encodeURIComponent(jwt.signingKeyPairId)}/certificate`,
          };
    await audit("SUCCESS", {
      authMethod: target.authMethod,
      organizationId: check.organizationId,
      username: check.user.username,
    });
    return {
      success: true,
      connectionId,
      authMethod: target.authMethod,
      salesforceDomain: target.domain.origin,
      ...check,
      ...(certificate === undefined ? {} : { jwtSigningCertificate: certificate }),
    };
  } catch (error) {
    await audit("FAILURE", { code: isAppError(error) ? error.code : "INTERNAL" });
    throw error;
  }
};
