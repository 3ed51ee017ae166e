import { AppError } from "../../lib/errors.ts";
import { snippet } from "../../xml/chars.ts";
import { attr, childElements, optionalChild, textOf } from "../../xml/select.ts";
import {
  expectRoot,
  invalidMessage,
  readBoolean,
  readId,
  readInstant,
  readIssuer,
  readOptional,
  readVersion,
} from "../bindings/message-fields.ts";
import { ns } from "../urn.ts";

/** `samlp:NameIDPolicy` (saml-core §3.4.1.1). */
export type NameIdPolicy = {
  readonly format?: string;
  readonly spNameQualifier?: string;
  /** Absent means the SP said nothing (saml-core errata E15: treat as false for new identifiers). */
  readonly allowCreate?: boolean;
};

/** `samlp:RequestedAuthnContext` (saml-core §3.3.2.2.1). Only class references are read. */
export type RequestedAuthnContext = {
  readonly comparison: "exact" | "minimum" | "maximum" | "better";
  readonly classRefs: readonly string[];
};

/**
 * An AuthnRequest (saml-core §3.4.1) as Portico reads it. Everything here comes from the message:
 * it is what the SP asks for, to be checked against the connection by `validateAuthnRequest`.
 * `Subject`, `Conditions`, `Scoping` and `Extensions` are not read.
 */
export type AuthnRequest = {
  /** Echoed as InResponseTo. Up to 512 characters (Salesforce's are about 300). */
  readonly id: string;
  readonly version: "2.0";
  readonly issueInstant: Date;
  readonly destination?: string;
  /** The SP's entity ID. */
  readonly issuer: string;
  readonly assertionConsumerServiceURL?: string;
  readonly assertionConsumerServiceIndex?: number;
  readonly protocolBinding?: string;
  readonly nameIdPolicy?: NameIdPolicy;
  readonly requestedAuthnContext?: RequestedAuthnContext;
  readonly forceAuthn: boolean;
  readonly isPassive: boolean;
  /** Whether a signature was verified on it (the caller says so: see openMessage). */
  readonly isSigned: boolean;
};

const CODE = "SAML_REQUEST_INVALID";
const COMPARISONS: ReadonlySet<string> = new Set(["exact", "minimum", "maximum", "better"]);

const unsignedShort = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const number = /^\+?\d{1,5}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(number >= 0 && number <= 65535)) {
    throw invalidMessage(CODE, `${name} ${JSON.stringify(snippet(value))} is not an unsignedShort.`);
  }
  return number;
};

const readNameIdPolicy = (root: Element): NameIdPolicy | undefined => {
  const policy = optionalChild(root, ns.protocol, "NameIDPolicy", CODE);
  if (policy === undefined) return undefined;
  const format = readOptional(policy, "Format", CODE)?.trim();
  const spNameQualifier = readOptional(policy, "SPNameQualifier", CODE);
  const allowCreate =
    attr(policy, "AllowCreate") === undefined ? undefined : readBoolean(policy, "AllowCreate", CODE, false);
  return {
    ...(format === undefined ? {} : { format }),
    ...(spNameQualifier === undefined ? {} : { spNameQualifier }),
    ...(allowCreate === undefined ? {} : { allowCreate }),
  };
};

const readRequestedAuthnContext = (root: Element): RequestedAuthnContext | undefined => {
  const context = optionalChild(root, ns.protocol, "RequestedAuthnContext", CODE);
  if (context === undefined) return undefined;
  const comparison = attr(context, "Comparison") ?? "exact";
  if (!COMPARISONS.has(comparison)) {
    throw invalidMessage(
      CODE,
      `RequestedAuthnContext Comparison ${JSON.stringify(snippet(comparison))} is not valid.`,
    );
  }
  return {
    comparison: comparison as RequestedAuthnContext["comparison"],
    classRefs: childElements(context, ns.assertion, "AuthnContextClassRef").map((ref) => textOf(ref).trim()),
  };
};

/**
 * Reads an AuthnRequest root element — from `openMessage`, so from signed bytes when it was
 * signed. Strict on what the schema and the Web Browser SSO profile require:
 * root `samlp:AuthnRequest`; Version "2.0" (else SAML_VERSION_UNSUPPORTED); ID an xs:ID of at most
 * 512 characters; IssueInstant an xs:dateTime with a zone; an Issuer (saml-profiles §4.1.4.1),
 * read so that a comment inside it is refused (XML_MALFORMED); AssertionConsumerServiceIndex
 * exclusive of AssertionConsumerServiceURL and ProtocolBinding (saml-core §3.4.1).
 * Everything else is SAML_REQUEST_INVALID.
 */
export const parseAuthnRequest = (root: Element, options: { readonly isSigned: boolean }): AuthnRequest => {
  expectRoot(root, "AuthnRequest", CODE);
  const version = readVersion(root, CODE);
  const id = readId(root, CODE);
  const issueInstant = readInstant(root, "IssueInstant", CODE);
  const destination = readOptional(root, "Destination", CODE);
  const issuer = readIssuer(root, CODE);
  const assertionConsumerServiceURL = readOptional(root, "AssertionConsumerServiceURL", CODE);
  const assertionConsumerServiceIndex = unsignedShort(
    attr(root, "AssertionConsumerServiceIndex"),
    "AssertionConsumerServiceIndex",
  );
  const protocolBinding = readOptional(root, "ProtocolBinding", CODE);
  if (
    assertionConsumerServiceIndex !== undefined &&
    (assertionConsumerServiceURL !== undefined || protocolBinding !== undefined)
  ) {
    throw new AppError(CODE, {
      message:
        "AssertionConsumerServiceIndex excludes AssertionConsumerServiceURL and ProtocolBinding (saml-core §3.4.1).",
    });
  }
  const nameIdPolicy = readNameIdPolicy(root);
  const requestedAuthnContext = readRequestedAuthnContext(root);
  return {
    id,
    version,
    issueInstant,
    ...(destination === undefined ? {} : { destination }),
    issuer,
    ...(assertionConsumerServiceURL === undefined ? {} : { assertionConsumerServiceURL }),
    ...(assertionConsumerServiceIndex === undefined ? {} : { assertionConsumerServiceIndex }),
    ...(protocolBinding === undefined ? {} : { protocolBinding }),
    ...(nameIdPolicy === undefined ? {} : { nameIdPolicy }),
    ...(requestedAuthnContext === undefined ? {} : { requestedAuthnContext }),
    forceAuthn: readBoolean(root, "ForceAuthn", CODE, false),
    isPassive: readBoolean(root, "IsPassive", CODE, false),
    isSigned: options.isSigned,
  };
};
