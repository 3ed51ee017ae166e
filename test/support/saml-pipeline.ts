import { AppError } from "../../src/lib/errors.ts";
import { readAuthnRequest, type SpTrust } from "../../src/saml/authn-request/read-authn-request.ts";
import { replayKey } from "../../src/saml/authn-request/replay.ts";
import {
  type AuthnRequestDecision,
  validateAuthnRequest,
} from "../../src/saml/authn-request/validate-authn-request.ts";
import {
  type BindingLimits,
  type DecodedMessage,
  defaultBindingLimits,
} from "../../src/saml/bindings/message.ts";
import { DEFAULT_SKEW_MS } from "../../src/saml/bindings/message-checks.ts";
import { peekIssuer } from "../../src/saml/bindings/peek-issuer.ts";
import { decodePost } from "../../src/saml/bindings/post.ts";
import { decodeRedirect } from "../../src/saml/bindings/redirect.ts";
import { readLogoutRequest, readLogoutResponse } from "../../src/saml/logout/read-logout.ts";
import { validateLogoutRequest, validateLogoutResponse } from "../../src/saml/logout/validate-logout.ts";
import type { AssertionConsumerService } from "../../src/saml/metadata/endpoints.ts";
import { verifyAlgorithms } from "../../src/saml/signing/verify-algorithms.ts";

/** One SP connection as the pipeline needs it. */
export type PipelineConnection = {
  readonly entityId: string;
  readonly certificatesPem: readonly string[];
  readonly requireSignature: boolean;
  readonly allowSha1: boolean;
  readonly acsEndpoints: readonly AssertionConsumerService[];
  readonly supportedNameIdFormats: readonly string[];
};

export type PipelineSetup = {
  readonly now: Date;
  readonly skewMs?: number;
  readonly limits?: BindingLimits;
  readonly connections: readonly PipelineConnection[];
  readonly ssoUrls: readonly string[];
  readonly sloUrls: readonly string[];
  /** The replay cache port; a Set stands in for the database one. */
  readonly seen: Set<string>;
  /** For LogoutResponses: the ID of the LogoutRequest Portico sent. */
  readonly pendingLogoutRequestId?: string;
};

export type PipelineInput =
  | { readonly endpoint: "sso" | "slo"; readonly binding: "redirect"; readonly query: string }
  | {
      readonly endpoint: "sso" | "slo";
      readonly binding: "post";
      readonly fields: Record<string, string | readonly string[]>;
    };

export type PipelineResult =
  | {
      readonly kind: "AuthnRequest";
      readonly id: string;
      readonly issuer: string;
      readonly isSigned: boolean;
      readonly relayState?: string;
      readonly decision: AuthnRequestDecision;
    }
  | {
      readonly kind: "LogoutRequest";
      readonly id: string;
      readonly nameId: string;
      readonly isSigned: boolean;
    }
  | {
      readonly kind: "LogoutResponse";
      readonly id: string;
      readonly statusCode: string;
      readonly isSigned: boolean;
    };

/**
 * The replay check. The endpoint calls the database port instead:
 * `replayCache.remember(replayKey(issuer, id), replayExpiresAt(issueInstant, skewMs), now)`.
 */
const remember = (setup: PipelineSetup, issuer: string, id: string): void => {
  const key = replayKey(issuer, id);
  if (setup.seen.has(key)) throw new AppError("SAML_REPLAY");
  setup.seen.add(key);
};

/**
 * What `/idp/SSO.saml2` and `/idp/SLO.saml2` do with a message, minus HTTP and storage:
 * 1. decode the binding (size caps, parameter smuggling);
 * 2. peek at the Issuer with the hardened parser, untrusted, to find the connection;
 * 3. open the message with that connection's pinned certificates (verify, or refuse unsigned
 *    when signing is required) and parse the verified root only; its Issuer must be the
 *    connection's;
 * 4. validate (Destination, IssueInstant, ACS, policy);
 * 5. refuse a replayed ID.
 * A "refuse" decision is returned, not thrown: the endpoint answers it with a SAML error Response.
 */
export const receiveMessage = (input: PipelineInput, setup: PipelineSetup): PipelineResult => {
  const limits = setup.limits ?? defaultBindingLimits;
  const decoded: DecodedMessage =
    input.binding === "redirect" ? decodeRedirect(input.query, limits) : decodePost(input.fields, limits);
  const peek = peekIssuer(decoded.xml);
  const connection = setup.connections.find((candidate) => candidate.entityId === peek.issuer);
  if (connection === undefined) throw new AppError("SAML_SP_UNKNOWN");
  const trust: SpTrust = {
    entityId: connection.entityId,
    certificatesPem: connection.certificatesPem,
    requireSignature: connection.requireSignature,
    allowed: verifyAlgorithms({ allowSha1: connection.allowSha1 }),
  };
  const skewMs = setup.skewMs ?? DEFAULT_SKEW_MS;

  if (input.endpoint === "sso") {
    if (peek.messageName !== "AuthnRequest") {
      throw new AppError("SAML_REQUEST_INVALID", { message: "The SSO endpoint accepts AuthnRequests only." });
    }
    const request = readAuthnRequest(decoded, trust);
    const decision = validateAuthnRequest(request, {
      now: setup.now,
      skewMs,
      expectedDestinations: setup.ssoUrls,
      acsEndpoints: connection.acsEndpoints,
      supportedNameIdFormats: connection.supportedNameIdFormats,
    });
    remember(setup, request.issuer, request.id);
    return {
      kind: "AuthnRequest",
      id: request.id,
      issuer: request.issuer,
      isSigned: request.isSigned,
      ...(decoded.relayState === undefined ? {} : { relayState: decoded.relayState }),
      decision,
    };
  }

  if (peek.messageName === "LogoutRequest") {
    const { message, isSigned } = readLogoutRequest(decoded, trust);
    validateLogoutRequest(message, { now: setup.now, skewMs, expectedDestinations: setup.sloUrls, isSigned });
    remember(setup, message.issuer, message.id);
    return { kind: "LogoutRequest", id: message.id, nameId: message.nameId.value, isSigned };
  }
  if (peek.messageName === "LogoutResponse") {
    const { message, isSigned } = readLogoutResponse(decoded, trust);
    validateLogoutResponse(message, {
      now: setup.now,
      skewMs,
      expectedDestinations: setup.sloUrls,
      isSigned,
      expectedInResponseTo: setup.pendingLogoutRequestId ?? "",
    });
    remember(setup, message.issuer, message.id);
    return { kind: "LogoutResponse", id: message.id, statusCode: message.statusCode, isSigned };
  }
  throw new AppError("SAML_LOGOUT_INVALID", { message: "The SLO endpoint accepts logout messages only." });
};
