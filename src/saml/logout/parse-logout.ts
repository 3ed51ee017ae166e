import { AppError } from "../../lib/errors.ts";
import { attr, childElements, optionalChild, textOf } from "../../xml/select.ts";
import {
  expectRoot,
  invalidMessage,
  readId,
  readInstant,
  readIssuer,
  readOptional,
  readVersion,
} from "../bindings/message-fields.ts";
import { ns } from "../urn.ts";

/** `saml:NameID` (saml-core §2.2.3). */
export type NameId = {
  readonly value: string;
  readonly format?: string;
  readonly nameQualifier?: string;
  readonly spNameQualifier?: string;
};

/** A LogoutRequest (saml-core §3.7.1) as received from an SP. */
export type LogoutRequest = {
  readonly id: string;
  readonly version: "2.0";
  readonly issueInstant: Date;
  readonly destination?: string;
  readonly issuer: string;
  readonly nameId: NameId;
  /** The SP's copies of our AuthnStatement SessionIndex values; may be empty (all sessions). */
  readonly sessionIndexes: readonly string[];
  readonly notOnOrAfter?: Date;
  readonly reason?: string;
};

/** A LogoutResponse (saml-core §3.7.2, StatusResponseType §3.2.2). */
export type LogoutResponse = {
  readonly id: string;
  readonly version: "2.0";
  readonly issueInstant: Date;
  readonly inResponseTo?: string;
  readonly destination?: string;
  readonly issuer: string;
  /** Top-level StatusCode Value. */
  readonly statusCode: string;
  /** The nested StatusCode Value, when there is one. */
  readonly subStatusCode?: string;
  readonly statusMessage?: string;
};

const CODE = "SAML_LOGOUT_INVALID";

/** Most SessionIndex values accepted: one per session the SP knows, never hundreds. */
const MAX_SESSION_INDEXES = 64;

const readNameId = (root: Element): NameId => {
  if (
    childElements(root, ns.assertion, "EncryptedID").length > 0 ||
    childElements(root, ns.assertion, "BaseID").length > 0
  ) {
    throw invalidMessage(CODE, "Only a plain saml:NameID is supported in a LogoutRequest.");
  }
  const element = optionalChild(root, ns.assertion, "NameID", CODE);
  if (element === undefined) throw invalidMessage(CODE, "The LogoutRequest has no saml:NameID.");
  // Compared with what we issued byte for byte: no trimming. textOf refuses comments inside.
  const value = textOf(element);
  if (value === "") throw invalidMessage(CODE, "The NameID is empty.");
  const format = readOptional(element, "Format", CODE);
  const nameQualifier = readOptional(element, "NameQualifier", CODE);
  const spNameQualifier = readOptional(element, "SPNameQualifier", CODE);
  return {
    value,
    ...(format === undefined ? {} : { format }),
    ...(nameQualifier === undefined ? {} : { nameQualifier }),
    ...(spNameQualifier === undefined ? {} : { spNameQualifier }),
  };
};

/**
 * Reads a LogoutRequest root element (from `openMessage`, so from signed bytes when signed).
 * Requires Version 2.0 (else SAML_VERSION_UNSUPPORTED), ID, IssueInstant, an Issuer
 * (saml-profiles §4.4.4.1) and a plain NameID; comments inside Issuer, NameID or SessionIndex are
 * XML_MALFORMED. Everything else wrong is SAML_LOGOUT_INVALID.
 */
export const parseLogoutRequest = (root: Element): LogoutRequest => {
  expectRoot(root, "LogoutRequest", CODE);
  const version = readVersion(root, CODE);
  const id = readId(root, CODE);
  const issueInstant = readInstant(root, "IssueInstant", CODE);
  const destination = readOptional(root, "Destination", CODE);
  const notOnOrAfter = readInstant(root, "NotOnOrAfter", CODE, true);
  // Reason only informs, and is an xs:string: pysaml2 writes Reason="" unless told one, so an
  // empty one is read as none rather than refused like empty identifiers are.
  const reason = attr(root, "Reason") || undefined;
  const issuer = readIssuer(root, CODE);
  const nameId = readNameId(root);
  const sessionIndexElements = childElements(root, ns.protocol, "SessionIndex");
  if (sessionIndexElements.length > MAX_SESSION_INDEXES) {
    throw invalidMessage(
      CODE,
      `The LogoutRequest has more than ${MAX_SESSION_INDEXES} SessionIndex elements.`,
    );
  }
  return {
    id,
    version,
    issueInstant,
    ...(destination === undefined ? {} : { destination }),
    issuer,
    nameId,
    sessionIndexes: sessionIndexElements.map((element) => textOf(element).trim()),
    ...(notOnOrAfter === undefined ? {} : { notOnOrAfter }),
    ...(reason === undefined ? {} : { reason }),
  };
};

/**
 * Reads a LogoutResponse root element. Requires Version 2.0, ID, IssueInstant, an Issuer and a
 * Status with a StatusCode Value; SAML_LOGOUT_INVALID otherwise.
 */
export const parseLogoutResponse = (root: Element): LogoutResponse => {
  expectRoot(root, "LogoutResponse", CODE);
  const version = readVersion(root, CODE);
  const id = readId(root, CODE);
  const issueInstant = readInstant(root, "IssueInstant", CODE);
  const inResponseTo =
    attr(root, "InResponseTo") === undefined ? undefined : readId(root, CODE, "InResponseTo");
  const destination = readOptional(root, "Destination", CODE);
  const issuer = readIssuer(root, CODE);
  const status = optionalChild(root, ns.protocol, "Status", CODE);
  if (status === undefined) throw invalidMessage(CODE, "The LogoutResponse has no samlp:Status.");
  const top = optionalChild(status, ns.protocol, "StatusCode", CODE);
  const statusCode = top === undefined ? undefined : attr(top, "Value");
  if (top === undefined || statusCode === undefined || statusCode === "") {
    throw new AppError(CODE, { message: "The LogoutResponse's Status has no StatusCode Value." });
  }
  const nested = optionalChild(top, ns.protocol, "StatusCode", CODE);
  const subStatusCode = nested === undefined ? undefined : attr(nested, "Value");
  const messageElement = optionalChild(status, ns.protocol, "StatusMessage", CODE);
  const statusMessage = messageElement === undefined ? undefined : textOf(messageElement);
  return {
    id,
    version,
    issueInstant,
    ...(inResponseTo === undefined ? {} : { inResponseTo }),
    ...(destination === undefined ? {} : { destination }),
    issuer,
    statusCode,
    ...(subStatusCode === undefined ? {} : { subStatusCode }),
    ...(statusMessage === undefined ? {} : { statusMessage }),
  };
};
