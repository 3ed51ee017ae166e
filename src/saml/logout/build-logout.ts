import { buildDocument, el, serialize, type XmlElement } from "../../xml/build.ts";
import type { SamlStatus } from "../authn-request/error-status.ts";
import { ns } from "../urn.ts";
import type { NameId } from "./parse-logout.ts";

/**
 * LogoutRequest and LogoutResponse as Portico sends them to SPs (saml-core §3.7,
 * saml-profiles §4.4), built through the one builder so every value is escaped. Unsigned: the
 * caller signs them: for HTTP-Redirect, `signRedirectQuery` over the serialized XML; for
 * HTTP-POST, `signElement` (signing/sign-xml.ts) on the root of the `…Document` form, which puts
 * the signature after Issuer, then `serialize`.
 * Times are written as UTC with milliseconds, as `Date#toISOString` does (saml-core §1.3.3).
 */

export type LogoutRequestInput = {
  /** An xs:ID from the injected ID generator, e.g. `_` + 32 hex digits. */
  readonly id: string;
  readonly issueInstant: Date;
  /** The SP's SingleLogoutService Location. */
  readonly destination: string;
  /** Portico's (or the connection's virtual) entity ID. */
  readonly issuer: string;
  /** The NameID exactly as it was issued in the assertion. */
  readonly nameId: NameId;
  readonly sessionIndexes?: readonly string[];
  readonly notOnOrAfter?: Date;
  /** saml-core §3.7.3, e.g. `urn:oasis:names:tc:SAML:2.0:logout:user`. */
  readonly reason?: string;
};

export type LogoutResponseInput = {
  readonly id: string;
  readonly issueInstant: Date;
  /** The SP's SingleLogoutService ResponseLocation (or Location). */
  readonly destination?: string;
  /** The ID of the LogoutRequest answered. */
  readonly inResponseTo?: string;
  readonly issuer: string;
  readonly status: SamlStatus;
};

const namespaces = { "xmlns:samlp": ns.protocol, "xmlns:saml": ns.assertion } as const;

const issuerElement = (issuer: string) => el(ns.assertion, "saml:Issuer", {}, [issuer]);

const logoutRequestElement = (input: LogoutRequestInput): XmlElement =>
  el(
    ns.protocol,
    "samlp:LogoutRequest",
    {
      ...namespaces,
      ID: input.id,
      Version: "2.0",
      IssueInstant: input.issueInstant.toISOString(),
      Destination: input.destination,
      NotOnOrAfter: input.notOnOrAfter?.toISOString(),
      Reason: input.reason,
    },
    [
      issuerElement(input.issuer),
      el(
        ns.assertion,
        "saml:NameID",
        {
          Format: input.nameId.format,
          NameQualifier: input.nameId.nameQualifier,
          SPNameQualifier: input.nameId.spNameQualifier,
        },
        [input.nameId.value],
      ),
      (input.sessionIndexes ?? []).map((index) => el(ns.protocol, "samlp:SessionIndex", {}, [index])),
    ],
  );

/** The LogoutRequest as a DOM document (to sign its root for HTTP-POST). */
export const buildLogoutRequestDocument = (input: LogoutRequestInput): Document =>
  buildDocument(logoutRequestElement(input));

/** The serialized LogoutRequest, without a signature. */
export const buildLogoutRequest = (input: LogoutRequestInput): string =>
  serialize(buildLogoutRequestDocument(input));

const logoutResponseElement = (input: LogoutResponseInput): XmlElement => {
  const { code, subCode, message } = input.status;
  return el(
    ns.protocol,
    "samlp:LogoutResponse",
    {
      ...namespaces,
      ID: input.id,
      Version: "2.0",
      IssueInstant: input.issueInstant.toISOString(),
      Destination: input.destination,
      InResponseTo: input.inResponseTo,
    },
    [
      issuerElement(input.issuer),
      el(ns.protocol, "samlp:Status", {}, [
        el(ns.protocol, "samlp:StatusCode", { Value: code }, [
          subCode !== undefined && el(ns.protocol, "samlp:StatusCode", { Value: subCode }),
        ]),
        message !== undefined && el(ns.protocol, "samlp:StatusMessage", {}, [message]),
      ]),
    ],
  );
};

/** The LogoutResponse as a DOM document (to sign its root for HTTP-POST). */
export const buildLogoutResponseDocument = (input: LogoutResponseInput): Document =>
  buildDocument(logoutResponseElement(input));

/** The serialized LogoutResponse, without a signature. */
export const buildLogoutResponse = (input: LogoutResponseInput): string =>
  serialize(buildLogoutResponseDocument(input));
