import type { SpConnection } from "../domain/sp-connection.ts";
import type { ErrorDetail } from "../lib/errors.ts";

/**
 * Salesforce Just-in-Time provisioning, seen from the IdP: with "User Provisioning Enabled" in
 * Salesforce's SSO settings, the assertion's `User.*` attributes (and, for Experience Cloud,
 * `Contact.*` and `Account.*`) create the user at first sign-in and update them later
 * (salesforce-api.md §5.7; Salesforce Help, "Just-in-Time SAML Assertion Fields"). The contract
 * is plain extended attributes named as Salesforce names them, as in PingFederate; this module
 * knows which of them Salesforce requires, and fills a template's contract.
 */

type Fulfillment = NonNullable<
  NonNullable<SpConnection["spBrowserSso"]>["adapterMappings"][number]["attributeContractFulfillment"][string]
>;

/** The unspecified attribute name format Salesforce's JIT examples use. */
export const jitNameFormat = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified";

/** Required on every sign-in (Username only matters at the first, but must be there then). */
export const jitRequiredUserAttributes = [
  "User.Username",
  "User.Email",
  "User.LastName",
  "User.ProfileId",
] as const;

const isJitName = (name: string): boolean => /^(User|Contact|Account)\./.test(name);

const contractNames = (connection: SpConnection): string[] =>
  (connection.spBrowserSso?.attributeContract.extendedAttributes ?? []).map((a) => a.name);

/** Whether the connection sends Salesforce JIT attributes (a Salesforce connection with any). */
export const hasJitContract = (connection: SpConnection): boolean =>
  connection.connectionTargetType === "SALESFORCE" && contractNames(connection).some(isJitName);

/**
 * The JIT attributes the contract must carry for Salesforce to create a user: the four `User.*`
 * ones, and at a site `Contact.Email`/`Contact.LastName` (unless `User.Contact` names the
 * contact) and `Account.Name`/`Account.AccountNumber` (unless a contact or `Contact.Account`
 * names the account).
 */
export const requiredJitAttributes = (names: readonly string[]): string[] => {
  const has = new Set(names);
  const required: string[] = [...jitRequiredUserAttributes];
  const site = names.some(
    (n) => n.startsWith("Contact.") || n.startsWith("Account.") || n === "User.Contact",
  );
  if (site && !has.has("User.Contact")) {
    required.push("Contact.Email", "Contact.LastName");
    if (!has.has("Contact.Account")) required.push("Account.Name", "Account.AccountNumber");
  }
  return required;
};

/** The missing ones, named, for a connection whose contract turns JIT on. */
export const jitContractErrors = (connection: SpConnection): ErrorDetail[] => {
  if (!hasJitContract(connection)) return [];
  const names = contractNames(connection);
  const missing = requiredJitAttributes(names).filter((n) => !names.includes(n));
  if (missing.length === 0) return [];
  return [
    {
      field: "spBrowserSso.attributeContract.extendedAttributes",
      message: `Salesforce Just-in-Time provisioning requires ${missing.join(", ")} in the attribute contract (missing); without ${missing.length === 1 ? "it" : "them"} Salesforce refuses the first sign-in with JIT error 5, "Unable to create user"`,
    },
  ];
};

/** What `POST /connectionMetadata/convert` takes to add a JIT contract to the template. */
export type JitTemplateOptions = {
  /** The profile new users get: its name (Salesforce looks it up) or its 00e… id. */
  readonly profile: string;
};

/**
 * The template's JIT contract, filled from the built-in directory as the provisioning channel's
 * default mappings are (pingfederate-salesforce-spec.md §5.2): Username and Email from `mail`,
 * names from `givenName`/`sn`, the Federation ID from the same source as SAML_SUBJECT (Salesforce
 * requires them to match), the profile as a constant. Each can be changed to an LDAP or
 * EXPRESSION source afterwards.
 */
export const jitContract = (
  subject: Fulfillment,
  options: JitTemplateOptions,
): { names: string[]; fulfillment: Record<string, Fulfillment> } => {
  const adapter = (value: string): Fulfillment => ({ source: { type: "ADAPTER" }, value });
  const fulfillment: Record<string, Fulfillment> = {
    "User.Username": adapter("mail"),
    "User.Email": adapter("mail"),
    "User.FirstName": adapter("givenName"),
    "User.LastName": adapter("sn"),
    "User.FederationIdentifier": structuredClone(subject),
    "User.ProfileId": { source: { type: "TEXT" }, value: options.profile },
  };
  return { names: Object.keys(fulfillment), fulfillment };
};

/** Adds the JIT contract to a freshly converted Salesforce connection (in place). */
export const addJitContract = (connection: SpConnection, options: JitTemplateOptions): string | undefined => {
  const sso = connection.spBrowserSso;
  const mapping = sso?.adapterMappings[0];
  const subject = mapping?.attributeContractFulfillment.SAML_SUBJECT;
  if (!sso || !mapping || !subject) {
    return "Salesforce JIT needs a stable Federation ID as the subject, but the metadata asks for a transient or persistent NameID; JIT was not added.";
  }
  const contract = jitContract(subject, options);
  sso.attributeContract.extendedAttributes = [
    ...(sso.attributeContract.extendedAttributes ?? []),
    ...contract.names.map((name) => ({ name, nameFormat: jitNameFormat })),
  ];
  Object.assign(mapping.attributeContractFulfillment, contract.fulfillment);
  return undefined;
};

/** The JIT attributes among an assertion's, and the required ones it lacks a value for. */
export const jitAttributesOf = (
  contract: readonly string[],
  attributes: readonly { name: string; values: readonly string[] }[],
): { attributes: { name: string; values: string[] }[]; missing: string[] } => {
  const sent = attributes
    .filter((a) => isJitName(a.name))
    .map((a) => ({ name: a.name, values: [...a.values] }));
  const withValue = new Set(sent.filter((a) => a.values.some((v) => v !== "")).map((a) => a.name));
  return { attributes: sent, missing: requiredJitAttributes(contract).filter((n) => !withValue.has(n)) };
};

export const jitContractNames = contractNames;
