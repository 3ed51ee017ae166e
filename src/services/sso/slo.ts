import type { SessionParticipant } from "../../domain/ports.ts";
import type { SpConnection } from "../../domain/sp-connection.ts";
import { AppError } from "../../lib/errors.ts";
import { replayExpiresAt, replayKey } from "../../saml/authn-request/replay.ts";
import { type OutgoingMessage, signRedirectQuery } from "../../saml/bindings/encode.ts";
import type { DecodedMessage } from "../../saml/bindings/message.ts";
import { peekIssuer } from "../../saml/bindings/peek-issuer.ts";
import { buildLogoutRequestDocument, buildLogoutResponseDocument } from "../../saml/logout/build-logout.ts";
import { readLogoutRequest, readLogoutResponse } from "../../saml/logout/read-logout.ts";
import { validateLogoutRequest, validateLogoutResponse } from "../../saml/logout/validate-logout.ts";
import { signatureSuites } from "../../saml/signing/algorithms.ts";
import { signElement } from "../../saml/signing/sign-xml.ts";
import { signingCredentials } from "../../saml/signing/signing-key.ts";
import { statusCode, subStatusCode } from "../../saml/urn.ts";
import { serialize } from "../../xml/build.ts";
import type { ServiceContext } from "../context.ts";
import { type ActiveConnection, absoluteUrl, connectionForSso } from "./flow.ts";
import { issuerFor, samlId, signingFor } from "./issue-response.ts";
import { endSession, type LiveSession, resumeSession } from "./sessions.ts";
import { trustFor } from "./trust.ts";

/**
 * Front-channel single logout (saml-profiles §4.4): the browser visits each SP that took part in
 * the session, in turn. Where the walk stands travels sealed in a cookie, so any node can take
 * the next step.
 */
export type LogoutWalk = {
  /** The SP whose LogoutRequest started it, answered at the end; none for IdP-initiated. */
  readonly initiator?:
    | { connectionId: string; requestId: string; relayState?: string | undefined }
    | undefined;
  readonly remaining: readonly SessionParticipant[];
  /** The LogoutRequest we sent and await an answer to. */
  readonly pending?: { connectionId: string; requestId: string } | undefined;
  readonly partial: boolean;
  readonly expires: number;
};

export type SloOutcome = (
  | { kind: "redirect"; location: string; walk: string | undefined }
  | { kind: "post"; action: string; fields: Record<string, string>; walk: string | undefined }
  | { kind: "done"; partial: boolean }
) & { sessionEnded?: boolean };

const sealContext = "sso:logout-walk";
const walkLifetimeMs = 5 * 60_000;

export const sloEndpoints = (context: ServiceContext): string[] => [`${context.baseUrl}/idp/SLO.saml2`];

export const sealWalk = (context: ServiceContext, walk: Omit<LogoutWalk, "expires">): string =>
  context.secretBox.seal(
    JSON.stringify({ ...walk, expires: context.clock.now().getTime() + walkLifetimeMs }),
    sealContext,
  );

export const openWalk = (context: ServiceContext, sealed: string | undefined): LogoutWalk | undefined => {
  if (!sealed) return undefined;
  try {
    const walk = JSON.parse(context.secretBox.openText(sealed, sealContext)) as LogoutWalk;
    return walk.expires > context.clock.now().getTime() ? walk : undefined;
  } catch {
    return undefined;
  }
};

/** The SP's SLO endpoint Portico can use: Redirect first, then POST. */
const sloEndpointOf = (connection: SpConnection) => {
  const endpoints = connection.spBrowserSso?.sloServiceEndpoints ?? [];
  return endpoints.find((e) => e.binding === "REDIRECT") ?? endpoints.find((e) => e.binding === "POST");
};

/** Sends a signed message to an SP by its endpoint's binding. */
const deliver = async (
  context: ServiceContext,
  connection: ActiveConnection,
  endpoint: { binding: string; url: string },
  message: {
    messageType: OutgoingMessage["messageType"];
    document: Document;
    relayState?: string | undefined;
  },
  walk: string | undefined,
): Promise<SloOutcome> => {
  const signing = await signingFor(context, connection);
  const url = absoluteUrl(connection, endpoint.url);
  if (endpoint.binding === "POST") {
    signElement(
      message.document.documentElement,
      signingCredentials(signing.privateKeyPem, signing.certificatePem),
      {
        algorithm: signing.algorithm,
        includeCertInSignature: signing.includeCertInSignature,
        includeRawKeyInSignature: signing.includeRawKeyInSignature,
      },
    );
    const fields: Record<string, string> = {
      [message.messageType]: Buffer.from(serialize(message.document)).toString("base64"),
    };
    if (message.relayState !== undefined) fields.RelayState = message.relayState;
    return { kind: "post", action: url, fields, walk };
  }
  const query = signRedirectQuery({
    messageType: message.messageType,
    xml: serialize(message.document),
    ...(message.relayState === undefined ? {} : { relayState: message.relayState }),
    privateKeyPem: signing.privateKeyPem,
    algorithmUri: signatureSuites[signing.algorithm].signatureUri,
  });
  return { kind: "redirect", location: `${url}${url.includes("?") ? "&" : "?"}${query}`, walk };
};

/** Takes the next step of a walk: a LogoutRequest to the next SP, or the initiator's answer. */
const step = async (context: ServiceContext, walk: Omit<LogoutWalk, "expires">): Promise<SloOutcome> => {
  const [next, ...rest] = walk.remaining;
  if (next) {
    const record = await context.store.connections.get(next.connectionId);
    const connection = record ? { ...record.document, id: record.id } : undefined;
    const endpoint = connection && record?.active ? sloEndpointOf(connection) : undefined;
    const canLogout = connection?.spBrowserSso?.enabledProfiles.includes("IDP_INITIATED_SLO") === true;
    if (!connection || !endpoint || !canLogout) {
      // This SP cannot be reached for logout: go on, and report a partial logout at the end.
      return step(context, { ...walk, remaining: rest, partial: true, pending: undefined });
    }
    const requestId = samlId();
    const document = buildLogoutRequestDocument({
      id: requestId,
      issueInstant: context.clock.now(),
      destination: absoluteUrl(connection, endpoint.url),
      issuer: issuerFor(context, connection),
      nameId: { value: next.nameId, format: next.nameIdFormat },
      sessionIndexes: [next.sessionIndex],
      reason: "urn:oasis:names:tc:SAML:2.0:logout:user",
    });
    const sealed = sealWalk(context, {
      ...walk,
      remaining: rest,
      pending: { connectionId: connection.id, requestId },
    });
    return deliver(context, connection, endpoint, { messageType: "SAMLRequest", document }, sealed);
  }
  if (!walk.initiator) return { kind: "done", partial: walk.partial };
  const record = await context.store.connections.get(walk.initiator.connectionId);
  const connection = record ? { ...record.document, id: record.id } : undefined;
  const endpoint = connection ? sloEndpointOf(connection) : undefined;
  if (!connection || !endpoint) return { kind: "done", partial: walk.partial };
  const responseUrl = (connection.spBrowserSso?.sloServiceEndpoints ?? []).find(
    (e) => e.url === endpoint.url,
  )?.responseUrl;
  const destination = absoluteUrl(connection, responseUrl || endpoint.url);
  const document = buildLogoutResponseDocument({
    id: samlId(),
    issueInstant: context.clock.now(),
    destination,
    inResponseTo: walk.initiator.requestId,
    issuer: issuerFor(context, connection),
    status: walk.partial
      ? { code: statusCode.success, subCode: subStatusCode.partialLogout }
      : { code: statusCode.success },
  });
  return deliver(
    context,
    connection,
    { binding: endpoint.binding, url: destination },
    { messageType: "SAMLResponse", document, relayState: walk.initiator.relayState },
    undefined,
  );
};

/** `GET /idp/startSLO.ping`: the user signs out of Portico and of every SP of the session. */
export const startIdpInitiatedLogout = async (
  context: ServiceContext,
  sessionToken: string | undefined,
): Promise<SloOutcome> => {
  const session = await resumeSession(context, sessionToken);
  if (!session) return { kind: "done", partial: false };
  await endSession(context, session);
  return {
    ...(await step(context, { remaining: session.participants, partial: false })),
    sessionEnded: true,
  };
};

const participantMatches = (
  session: LiveSession,
  connectionId: string,
  nameId: string,
  sessionIndexes: readonly string[],
) =>
  session.participants.some(
    (p) =>
      p.connectionId === connectionId &&
      p.nameId === nameId &&
      (sessionIndexes.length === 0 || sessionIndexes.includes(p.sessionIndex)),
  );

/**
 * `/idp/SLO.saml2`: a LogoutRequest from an SP (which starts a walk over the other SPs), or an
 * SP's LogoutResponse to ours (which moves the walk on).
 */
export const receiveLogoutMessage = async (
  context: ServiceContext,
  decoded: DecodedMessage,
  sessionToken: string | undefined,
  walkCookie: string | undefined,
): Promise<SloOutcome> => {
  const peek = peekIssuer(decoded.xml);
  const now = context.clock.now();
  const skewMs = context.sso.clockSkewSeconds * 1000;
  if (peek.messageName === "LogoutResponse") {
    const walk = openWalk(context, walkCookie);
    if (!walk?.pending) {
      throw new AppError("SAML_LOGOUT_INVALID", { message: "No logout is in progress in this browser." });
    }
    const connection = await connectionForSso(context, peek.issuer, "IDP_INITIATED_SLO");
    if (connection.id !== walk.pending.connectionId) {
      throw new AppError("SAML_LOGOUT_INVALID", {
        message: "The LogoutResponse comes from another SP than the one asked.",
      });
    }
    const { message, isSigned } = readLogoutResponse(decoded, trustFor(connection, true));
    validateLogoutResponse(message, {
      now,
      skewMs,
      expectedDestinations: sloEndpoints(context),
      isSigned,
      expectedInResponseTo: walk.pending.requestId,
    });
    const succeeded =
      message.statusCode === statusCode.success && message.subStatusCode !== subStatusCode.partialLogout;
    return step(context, { ...walk, pending: undefined, partial: walk.partial || !succeeded });
  }
  if (peek.messageName !== "LogoutRequest") {
    throw new AppError("SAML_REQUEST_INVALID", {
      message: `The SLO endpoint takes logout messages, not a ${peek.messageName}.`,
    });
  }
  const connection = await connectionForSso(context, peek.issuer, "SP_INITIATED_SLO");
  const { message, isSigned } = readLogoutRequest(decoded, trustFor(connection, true));
  validateLogoutRequest(message, { now, skewMs, expectedDestinations: sloEndpoints(context), isSigned });
  const fresh = await context.store.replayCache.remember(
    replayKey(message.issuer, message.id),
    replayExpiresAt(message.issueInstant, skewMs).toISOString(),
    now.toISOString(),
  );
  if (!fresh) throw new AppError("SAML_REPLAY", { message: "This LogoutRequest was already used." });
  const session = await resumeSession(context, sessionToken);
  const initiator = { connectionId: connection.id, requestId: message.id, relayState: decoded.relayState };
  if (!session) {
    // Nothing to end here (already signed out, or another browser): the SP's own logout stands.
    return step(context, { initiator, remaining: [], partial: false });
  }
  if (!participantMatches(session, connection.id, message.nameId.value, message.sessionIndexes)) {
    // The request names someone else's session: answer without ending this one.
    return step(context, { initiator, remaining: [], partial: true });
  }
  await endSession(context, session);
  const others = session.participants.filter((p) => p.connectionId !== connection.id);
  return { ...(await step(context, { initiator, remaining: others, partial: false })), sessionEnded: true };
};
