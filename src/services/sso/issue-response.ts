import { randomBytes } from "node:crypto";
import type { AuthenticatedSubject, SessionParticipant } from "../../domain/ports.ts";
import { type SigningAlgorithm, type SpConnection, ssoAttributeMapping } from "../../domain/sp-connection.ts";
import { parseCertificate } from "../../domain/validate-sp-connection.ts";
import { AppError } from "../../lib/errors.ts";
import {
  type AssertionAttribute,
  buildErrorResponse,
  buildResponse,
  type EncryptionInput,
  type SigningInput,
} from "../../saml/response/build-response.ts";
import type { ServiceContext } from "../context.ts";
import { loadSigningKeyPair } from "../keys.ts";
import { withAttributeSources } from "./attribute-sources.ts";
import { expressionValues } from "./expression-sources.ts";
import { issueNameId } from "./name-id.ts";

/** SAML IDs: an NCName with 160 random bits. */
export const samlId = (): string => `_${randomBytes(20).toString("hex")}`;

/** The Issuer the SP expects: the connection's default virtual entity ID, else the server's. */
export const issuerFor = (context: ServiceContext, connection: SpConnection): string =>
  connection.defaultVirtualEntityId ?? context.entityId;

const pem = (fileData: string): string => {
  const cert = parseCertificate(fileData);
  if (!cert)
    throw new AppError("CONN_INVALID", { message: "credentials.certs: a certificate cannot be parsed." });
  return cert.toString();
};

/** How the connection wants its messages signed, with the key unsealed for this one use. */
export const signingFor = async (
  context: ServiceContext,
  connection: SpConnection,
): Promise<SigningInput> => {
  const settings = connection.credentials?.signingSettings;
  if (!settings) throw new AppError("CONN_INVALID", { message: "The connection has no signing key pair." });
  const { record, privateKeyPem } = await loadSigningKeyPair(context, settings.signingKeyPairRef.id);
  const algorithm: SigningAlgorithm =
    settings.algorithm ?? (record.keyAlgorithm === "EC" ? "SHA256withECDSA" : "SHA256withRSA");
  return {
    privateKeyPem,
    certificatePem: record.certificatePem,
    algorithm,
    includeCertInSignature: settings.includeCertInSignature === true,
    includeRawKeyInSignature: settings.includeRawKeyInSignature === true,
    signResponse: connection.spBrowserSso?.signResponseAsRequired !== false,
    signAssertion: connection.spBrowserSso?.signAssertions === true,
  };
};

const encryptionFor = (connection: SpConnection): EncryptionInput | undefined => {
  if (connection.spBrowserSso?.encryptionPolicy?.encryptAssertion !== true) return undefined;
  const cert = connection.credentials?.certs?.find((c) => c.encryptionCert === true);
  if (!cert)
    throw new AppError("CONN_INVALID", { message: "Assertion encryption needs an encryption certificate." });
  const block = connection.credentials?.blockEncryptionAlgorithm;
  const transport = connection.credentials?.keyTransportAlgorithm;
  return {
    certificatePem: pem(cert.x509File.fileData),
    blockAlgorithm:
      block === "AES_128_GCM" || block === "AES_256" || block === "AES_128" ? block : "AES_256_GCM",
    keyTransport: transport === "RSA_OAEP_256" ? "RSA_OAEP_256" : "RSA_OAEP",
  };
};

/**
 * Attribute contract fulfillment (pingfederate-salesforce-spec.md §2.2): each contract attribute
 * takes its values from the signed-in subject (ADAPTER and data-store sources name an attribute),
 * a TEXT constant, an EXPRESSION over the subject's attributes, or nothing.
 */
export const fulfill = (
  connection: SpConnection,
  subject: AuthenticatedSubject,
  name: string,
): readonly string[] => {
  const mapping = ssoAttributeMapping(connection.spBrowserSso);
  const rule = mapping?.attributeContractFulfillment[name];
  if (!rule) return [];
  switch (rule.source.type) {
    case "TEXT":
      return rule.value === "" ? [] : [rule.value];
    case "NO_MAPPING":
      return [];
    case "AUTHENTICATION_POLICY_CONTRACT":
      // A policy contract's core attribute `subject` is who signed in (Portico has no contracts).
      if (rule.value === "subject") return [subject.uid];
      return rule.value === "uid" ? [subject.uid] : (subject.attributes[rule.value] ?? []);
    case "LDAP_DATA_STORE": {
      // An LDAP attribute source looked up for this request (attribute-sources.ts).
      const found = rule.source.id === undefined ? undefined : subject.sourced?.[rule.source.id];
      if (found) {
        const wanted = rule.value.toLowerCase();
        return Object.entries(found).find(([key]) => key.toLowerCase() === wanted)?.[1] ?? [];
      }
      return rule.value === "uid" ? [subject.uid] : (subject.attributes[rule.value] ?? []);
    }
    case "ADAPTER":
    case "JDBC_DATA_STORE":
    case "CUSTOM_DATA_STORE":
    case "MAPPED_ATTRIBUTES":
      return rule.value === "uid" ? [subject.uid] : (subject.attributes[rule.value] ?? []);
    case "EXPRESSION":
      // Portico's expression language over the user's directory attributes (docs/expressions.md).
      return expressionValues(name, rule.value, subject);
    default:
      // CONTEXT sources (the request's context: client IP, authentication context…) are not modelled.
      throw new AppError("CONN_INVALID", {
        message: `${name}: attribute source ${rule.source.type} is not supported yet; use ADAPTER, TEXT or EXPRESSION.`,
      });
  }
};

export type IssuedResponse = {
  readonly xml: string;
  readonly assertionId: string;
  readonly participant: SessionParticipant;
};

/** Builds and signs the Response that carries the subject's assertion to `acsUrl`. */
export const issueResponse = async (
  context: ServiceContext,
  input: {
    connection: SpConnection & { id: string };
    subject: AuthenticatedSubject;
    acsUrl: string;
    inResponseTo?: string | undefined;
    authnInstant: Date;
    sessionIndex: string;
    /** Another key to sign with (`sso test`'s throwaway key); the connection's key otherwise. */
    signing?: SigningInput | undefined;
    /** The AuthnRequest's NameIDPolicy Format, when it had one. */
    requestedNameIdFormat?: string | undefined;
  },
): Promise<IssuedResponse> => {
  const { connection } = input;
  const subject = await withAttributeSources(context, connection, input.subject);
  const sso = connection.spBrowserSso;
  if (!sso) throw new AppError("SAML_PROFILE_DISABLED", { message: "The connection has no browser SSO." });
  const nameId = await issueNameId(
    context,
    connection,
    subject,
    () => {
      const value = fulfill(connection, subject, "SAML_SUBJECT")[0];
      if (value === undefined || value === "") {
        throw new AppError("SAML_SUBJECT_MISSING", {
          message: `User ${subject.uid} has no value for the connection's subject (SAML_SUBJECT); ask an administrator.`,
        });
      }
      return value;
    },
    input.requestedNameIdFormat,
  );
  const attributes: AssertionAttribute[] = (sso.attributeContract.extendedAttributes ?? [])
    .map((a) => ({
      name: a.name,
      ...(a.nameFormat === undefined ? {} : { nameFormat: a.nameFormat }),
      values: fulfill(connection, subject, a.name),
    }))
    .filter((a) => a.values.length > 0);
  const assertionId = samlId();
  const now = context.clock.now();
  const xml = await buildResponse(
    {
      issuer: issuerFor(context, connection),
      destination: input.acsUrl,
      ...(input.inResponseTo === undefined ? {} : { inResponseTo: input.inResponseTo }),
      audience: connection.entityId,
      recipient: input.acsUrl,
      nameId,
      sessionIndex: input.sessionIndex,
      authnInstant: input.authnInstant,
      authnContextClassRef: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
      attributes,
      lifetime: sso.assertionLifetime,
      now,
      responseId: samlId(),
      assertionId,
    },
    input.signing ?? (await signingFor(context, connection)),
    encryptionFor(connection),
  );
  return {
    xml,
    assertionId,
    participant: {
      connectionId: connection.id,
      nameId: nameId.value,
      nameIdFormat: nameId.format,
      sessionIndex: input.sessionIndex,
    },
  };
};

/** A SAML error Response, for failures once the SP and its ACS are known and trusted. */
export const issueErrorResponse = async (
  context: ServiceContext,
  input: {
    connection: SpConnection;
    acsUrl: string;
    inResponseTo?: string | undefined;
    status: { code: string; subCode?: string | undefined; message?: string | undefined };
  },
): Promise<string> =>
  buildErrorResponse(
    {
      issuer: issuerFor(context, input.connection),
      destination: input.acsUrl,
      ...(input.inResponseTo === undefined ? {} : { inResponseTo: input.inResponseTo }),
      now: context.clock.now(),
      responseId: samlId(),
      status: {
        code: input.status.code,
        ...(input.status.subCode === undefined ? {} : { subCode: input.status.subCode }),
        ...(input.status.message === undefined ? {} : { message: input.status.message }),
      },
    },
    await signingFor(context, input.connection),
  );
