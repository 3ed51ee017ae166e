import { createHmac, randomBytes } from "node:crypto";
import type { AuthenticatedSubject } from "../../domain/ports.ts";
import type { SpConnection } from "../../domain/sp-connection.ts";
import { AppError } from "../../lib/errors.ts";
import { nameIdFormat } from "../../saml/urn.ts";
import type { ServiceContext } from "../context.ts";

/**
 * The subject's NameID (saml-core §8.3), by the connection's identity mapping
 * (pingfederate-salesforce-spec.md §2.2, `spSamlIdentityMapping`) and what the SP asked for in
 * its NameIDPolicy (saml-core §3.4.1.1):
 *
 * - STANDARD: SAML_SUBJECT from the directory, in the contract's format (Salesforce's case);
 * - PSEUDONYM: a persistent pairwise identifier: stable for one user at one SP, different at each
 *   SP, and revealing nothing about the user (saml-core §8.3.7);
 * - TRANSIENT: a random identifier, new in every assertion (saml-core §8.3.8).
 *
 * An SP may ask for another format than the connection's own only when it reveals no more about
 * the user than the mapping does: transient always; persistent (pairwise) unless the mapping is
 * TRANSIENT; emailAddress only from a STANDARD connection, and only when the value is one.
 */

export type IssuedNameId = { readonly value: string; readonly format: string };

type IdentityMapping = "STANDARD" | "PSEUDONYM" | "TRANSIENT";

const mappingOf = (connection: SpConnection): IdentityMapping =>
  connection.spBrowserSso?.spSamlIdentityMapping ?? "STANDARD";

/** SAML_SUBJECT's format in the attribute contract (STANDARD mapping). */
const contractFormatOf = (connection: SpConnection): string =>
  connection.spBrowserSso?.attributeContract.coreAttributes?.find((a) => a.name === "SAML_SUBJECT")
    ?.nameFormat ?? nameIdFormat.unspecified;

/** The format the connection issues when the SP does not ask for one (or asks for `unspecified`). */
const defaultNameIdFormat = (connection: SpConnection): string => {
  const mapping = mappingOf(connection);
  if (mapping === "TRANSIENT") return nameIdFormat.transient;
  if (mapping === "PSEUDONYM") return nameIdFormat.persistent;
  return contractFormatOf(connection);
};

/** Every NameID Format this connection can put in an assertion, its default first. */
export const issuableNameIdFormats = (connection: SpConnection): string[] => {
  const mapping = mappingOf(connection);
  const others: string[] =
    mapping === "TRANSIENT"
      ? []
      : mapping === "PSEUDONYM"
        ? [nameIdFormat.transient]
        : [nameIdFormat.emailAddress, nameIdFormat.persistent, nameIdFormat.transient];
  return [...new Set([defaultNameIdFormat(connection), ...others])];
};

/** What Portico can issue at all: the formats of a STANDARD connection with the default contract. */
export const porticoNameIdFormats: readonly string[] = [
  nameIdFormat.unspecified,
  nameIdFormat.emailAddress,
  nameIdFormat.persistent,
  nameIdFormat.transient,
];

const isEmailAddress = (value: string): boolean => /^[^@\s]+@[^@\s]+$/.test(value);

/** The setting that holds the pairwise-identifier secret, sealed under the master key. */
export const pairwiseSecretSetting = "sso.pairwiseIdSecret";
export const pairwiseSecretSealContext = "settings:pairwise-id-secret";

/**
 * The installation's secret for pairwise identifiers: random, generated on first use and kept in
 * the database, so every node and every restart computes the same identifiers (and a changed
 * master key does not change them, only how the secret is sealed).
 */
const pairwiseSecret = async (context: ServiceContext): Promise<Buffer> => {
  const stored =
    (await context.store.settings.get(pairwiseSecretSetting)) ??
    (await context.store.settings.setIfAbsent(
      pairwiseSecretSetting,
      context.secretBox.seal(randomBytes(32), pairwiseSecretSealContext),
    ));
  return context.secretBox.open(stored, pairwiseSecretSealContext);
};

/** HMAC-SHA256 of (SP entity ID, uid): no one without the secret can link it to the user or across SPs. */
const pairwiseId = async (context: ServiceContext, spEntityId: string, uid: string): Promise<string> =>
  createHmac("sha256", await pairwiseSecret(context))
    .update(`${spEntityId}\u0000${uid}`)
    .digest("hex");

// 160 random bits, as an NCName-safe string like the message IDs.
const transientId = (): string => `_${randomBytes(20).toString("hex")}`;

const refused = (message: string): AppError => new AppError("SAML_NAMEID_POLICY_UNSUPPORTED", { message });

/**
 * The NameID for `subject` at this connection. `subjectValue` is the connection's SAML_SUBJECT
 * for the user (STANDARD mapping only; the caller checks it has one). Throws
 * SAML_NAMEID_POLICY_UNSUPPORTED when the SP asked for a format this connection does not issue,
 * or emailAddress for a user whose SAML_SUBJECT is not an email address.
 */
export const issueNameId = async (
  context: ServiceContext,
  connection: SpConnection,
  subject: AuthenticatedSubject,
  subjectValue: () => string,
  requestedFormat?: string,
): Promise<IssuedNameId> => {
  const asked =
    requestedFormat === undefined || requestedFormat === nameIdFormat.unspecified
      ? defaultNameIdFormat(connection)
      : requestedFormat;
  if (!issuableNameIdFormats(connection).includes(asked)) {
    throw refused(`The connection "${connection.name}" does not issue NameIDs in the format ${asked}.`);
  }
  if (asked === nameIdFormat.transient) return { value: transientId(), format: asked };
  const contractFormat = mappingOf(connection) === "STANDARD" ? contractFormatOf(connection) : undefined;
  if (asked === nameIdFormat.persistent && contractFormat !== nameIdFormat.persistent) {
    return { value: await pairwiseId(context, connection.entityId, subject.uid), format: asked };
  }
  const value = subjectValue();
  if (asked === nameIdFormat.emailAddress && contractFormat !== asked && !isEmailAddress(value)) {
    throw refused(`User ${subject.uid} has no email address as the connection's subject (SAML_SUBJECT).`);
  }
  return { value, format: asked };
};
