import {
  type SpConnection,
  type SsoProfile,
  signingAlgorithms,
  ssoAttributeMapping,
  ssoProfiles,
} from "../../domain/sp-connection.ts";
import { invariantErrors } from "../../domain/validate-sp-connection.ts";
import type { ErrorDetail } from "../../lib/errors.ts";
import { editedMapping, ldapSourceRows } from "./attribute-sources-edit.ts";

/**
 * The Browser SSO and Credentials tabs as forms edit them (pingfederate-salesforce-spec.md §3.6,
 * §3.7): each change is made on a copy of the document and checked with the connection's own
 * invariants, so a tab says what is wrong before anything is stored.
 */

type Sso = NonNullable<SpConnection["spBrowserSso"]>;
type Fulfillment = Sso["adapterMappings"][number]["attributeContractFulfillment"][string];

/** The sources the fulfillment table offers; others already in a document are kept as they are. */
export const fulfillmentSources = ["ADAPTER", "TEXT", "EXPRESSION", "CONTEXT", "NO_MAPPING"] as const;

export type AttributeRow = {
  readonly name: string;
  readonly nameFormat: string;
  readonly source: string;
  readonly value: string;
};

export type BrowserSsoForm = {
  readonly profiles: readonly string[];
  readonly minutesBefore: string;
  readonly minutesAfter: string;
  readonly identityMapping: string;
  readonly attributes: readonly AttributeRow[];
  readonly bindings: readonly string[];
  readonly requireSignedAuthnRequests: boolean;
  readonly signAssertions: boolean;
  readonly signResponseAsRequired: boolean;
  readonly encryptAssertion: boolean;
  readonly slo: readonly SloRow[];
};

/** A fulfillment source select's value for an LDAP attribute source: the prefix, then its id. */
export const ldapSourcePrefix = "LDAP_DATA_STORE:";

export type SloRow = { readonly binding: string; readonly url: string; readonly responseUrl: string };

const sloBindings = ["POST", "REDIRECT", "ARTIFACT", "SOAP"] as const;

const isHttpUrl = (text: string) =>
  URL.canParse(text) && ["http:", "https:"].includes(new URL(text).protocol);

/**
 * The SP's single logout endpoints from the form's rows; a row left blank is removed. The URL's
 * own check is the connection's invariant (a path is allowed with a base URL), named by row.
 */
const sloEndpoints = (rows: readonly SloRow[], errors: ErrorDetail[]) =>
  rows
    .map((r, i) => ({ ...r, url: r.url.trim(), responseUrl: r.responseUrl.trim(), n: i + 1 }))
    .filter((r) => r.url !== "" || r.responseUrl !== "")
    .map((r) => {
      const binding = sloBindings.find((b) => b === r.binding);
      if (!binding) errors.push({ field: "slo", message: `row ${r.n}: choose a binding` });
      if (r.url === "") errors.push({ field: "slo", message: `row ${r.n}: enter the SP's logout URL` });
      if (r.responseUrl !== "" && !isHttpUrl(r.responseUrl))
        errors.push({
          field: "slo",
          message: `row ${r.n}: the Response URL must be an absolute http(s) URL`,
        });
      return {
        binding: binding ?? "POST",
        url: r.url,
        ...(r.responseUrl === "" ? {} : { responseUrl: r.responseUrl }),
      };
    });

/** The invariants' errors for the SLO endpoints, named by the URL the administrator typed. */
const sloErrors = (document: SpConnection, errors: readonly ErrorDetail[]): ErrorDetail[] =>
  errors.map((e) => {
    const row = /^spBrowserSso\.sloServiceEndpoints\[(\d+)\]/.exec(e.field ?? "")?.[1];
    if (row === undefined) return e;
    const url = document.spBrowserSso?.sloServiceEndpoints?.[Number(row)]?.url ?? "";
    return { field: "slo", message: `${url}: ${e.message}` };
  });

/** The SLO rows a document shows. */
export const sloRowsOf = (sso: Sso): SloRow[] =>
  (sso.sloServiceEndpoints ?? []).map((e) => ({
    binding: e.binding,
    url: e.url,
    responseUrl: e.responseUrl ?? "",
  }));

const sourceValue = (rule: Fulfillment | undefined): string =>
  rule === undefined
    ? "NO_MAPPING"
    : rule.source.type === "LDAP_DATA_STORE" && rule.source.id !== undefined
      ? `${ldapSourcePrefix}${rule.source.id}`
      : rule.source.type;

/** The attribute rows a document shows: the subject first, then the extended attributes. */
export const attributeRowsOf = (sso: Sso): AttributeRow[] => {
  const fulfillment = ssoAttributeMapping(sso)?.attributeContractFulfillment ?? {};
  return [
    ...(sso.attributeContract.coreAttributes ?? []),
    ...(sso.attributeContract.extendedAttributes ?? []),
  ].map((a) => ({
    name: a.name,
    nameFormat: a.nameFormat ?? "",
    source: sourceValue(fulfillment[a.name]),
    value: fulfillment[a.name]?.value ?? "",
  }));
};

const minutes = (text: string, field: string, min: number, errors: ErrorDetail[]): number => {
  const n = Number(text.trim());
  if (text.trim() === "" || !Number.isInteger(n) || n < min || n > 1440) {
    errors.push({ field, message: `enter whole minutes from ${min} to 1440` });
    return min;
  }
  return n;
};

/** Only the errors about one part of the document (a tab's), from the connection's invariants. */
export const errorsUnder = (document: SpConnection, prefixes: readonly string[]): ErrorDetail[] =>
  invariantErrors(document).filter((e) => prefixes.some((p) => e.field?.startsWith(p)));

/**
 * Applies the Browser SSO form to a copy of the document. Clearing an attribute's name removes it;
 * SAML_SUBJECT stays a core attribute; a fulfillment whose source is not offered keeps its source.
 */
export const applyBrowserSso = (
  document: SpConnection,
  form: BrowserSsoForm,
): { document: SpConnection; errors: ErrorDetail[] } => {
  const copy = structuredClone(document);
  const sso = copy.spBrowserSso;
  const errors: ErrorDetail[] = [];
  if (!sso) return { document: copy, errors: [{ message: "the connection has no browser SSO" }] };
  sso.enabledProfiles = ssoProfiles.filter((p: SsoProfile) => form.profiles.includes(p));
  sso.assertionLifetime = {
    minutesBefore: minutes(form.minutesBefore, "minutesBefore", 0, errors),
    minutesAfter: minutes(form.minutesAfter, "minutesAfter", 1, errors),
  };
  const mapping = ["STANDARD", "PSEUDONYM", "TRANSIENT"] as const;
  sso.spSamlIdentityMapping = mapping.find((m) => m === form.identityMapping) ?? "STANDARD";
  const previous = ssoAttributeMapping(sso)?.attributeContractFulfillment ?? {};
  const ldapIds = ldapSourceRows(sso).map((s) => s.id);
  const rows = form.attributes.map((r) => ({ ...r, name: r.name.trim() })).filter((r) => r.name !== "");
  const seen = new Set<string>();
  const fulfillment: Record<string, Fulfillment> = {};
  for (const row of rows) {
    if (seen.has(row.name)) errors.push({ field: "attributes", message: `"${row.name}" is listed twice` });
    seen.add(row.name);
    const kept = previous[row.name];
    const offered = fulfillmentSources.find((s) => s === row.source);
    const ldap = row.source.startsWith(ldapSourcePrefix)
      ? row.source.slice(ldapSourcePrefix.length)
      : undefined;
    if (ldap !== undefined) {
      if (!ldapIds.includes(ldap))
        errors.push({
          field: "attributes",
          message: `${row.name}: there is no LDAP attribute source "${ldap}"`,
        });
      if (row.value.trim() === "")
        errors.push({ field: "attributes", message: `${row.name}: enter the attribute "${ldap}" returns` });
      fulfillment[row.name] = { source: { type: "LDAP_DATA_STORE", id: ldap }, value: row.value.trim() };
    } else if (offered === undefined && kept) fulfillment[row.name] = { ...kept, value: row.value };
    else {
      const type = offered ?? "NO_MAPPING";
      if (type !== "NO_MAPPING" && type !== "CONTEXT" && row.value.trim() === "")
        errors.push({ field: "attributes", message: `${row.name}: enter the value its source gives` });
      fulfillment[row.name] = { source: { type }, value: row.value.trim() };
    }
  }
  const attribute = (r: AttributeRow) =>
    r.nameFormat ? { name: r.name, nameFormat: r.nameFormat } : { name: r.name };
  sso.attributeContract = {
    coreAttributes: rows.filter((r) => r.name === "SAML_SUBJECT").map(attribute),
    extendedAttributes: rows.filter((r) => r.name !== "SAML_SUBJECT").map(attribute),
  };
  // The mapping SSO reads is the one written, so what the table shows is what is served.
  editedMapping(sso).attributeContractFulfillment = fulfillment;
  sso.sloServiceEndpoints = sloEndpoints(form.slo, errors);
  sso.incomingBindings = (["POST", "REDIRECT", "ARTIFACT", "SOAP"] as const).filter((b) =>
    form.bindings.includes(b),
  );
  sso.requireSignedAuthnRequests = form.requireSignedAuthnRequests;
  sso.signAssertions = form.signAssertions;
  sso.signResponseAsRequired = form.signResponseAsRequired;
  sso.encryptionPolicy = { ...sso.encryptionPolicy, encryptAssertion: form.encryptAssertion };
  return {
    document: copy,
    errors: [...errors, ...sloErrors(copy, errorsUnder(copy, ["spBrowserSso", "credentials.certs"]))],
  };
};

export type AcsRow = {
  readonly isDefault: boolean;
  readonly index: string;
  readonly binding: string;
  readonly url: string;
};

/**
 * The Assertion Consumer Service table's Add, Update and Delete. A row made the default takes
 * the default from the others (the seed's community URL); deleting the default passes it on.
 */
export const editAcs = (
  document: SpConnection,
  op: { kind: "add" | "update"; row: number; value: AcsRow } | { kind: "delete"; row: number },
): { document: SpConnection; errors: ErrorDetail[] } => {
  const copy = structuredClone(document);
  const sso = copy.spBrowserSso;
  if (!sso) return { document: copy, errors: [{ message: "the connection has no browser SSO" }] };
  const endpoints = sso.ssoServiceEndpoints;
  if (op.kind !== "add" && endpoints[op.row] === undefined)
    return { document: copy, errors: [{ field: "acs", message: "there is no such row" }] };
  if (op.kind === "delete") {
    if (endpoints.length === 1)
      return {
        document: copy,
        errors: [{ field: "acs", message: "a connection needs at least one ACS URL" }],
      };
    const [removed] = endpoints.splice(op.row, 1);
    const first = endpoints[0];
    if (removed?.isDefault && first) first.isDefault = true;
    return { document: copy, errors: errorsUnder(copy, ["spBrowserSso.ssoServiceEndpoints"]) };
  }
  const errors: ErrorDetail[] = [];
  const index = Number(op.value.index.trim());
  if (op.value.index.trim() === "" || !Number.isInteger(index) || index < 0 || index > 65535)
    errors.push({ field: "acsIndex", message: "enter a whole number from 0 to 65535" });
  if (op.value.url.trim() === "") errors.push({ field: "acsUrl", message: "enter the endpoint URL" });
  const binding = (["POST", "ARTIFACT", "REDIRECT"] as const).find((b) => b === op.value.binding) ?? "POST";
  const endpoint = { binding, url: op.value.url.trim(), index, isDefault: op.value.isDefault };
  if (errors.length > 0) return { document: copy, errors };
  if (op.kind === "add") endpoints.push(endpoint);
  else endpoints[op.row] = endpoint;
  if (endpoint.isDefault) for (const e of endpoints) e.isDefault = e === endpoint;
  else if (!endpoints.some((e) => e.isDefault) && endpoints[0]) endpoints[0].isDefault = true;
  const found = errorsUnder(copy, ["spBrowserSso.ssoServiceEndpoints"]).map((e) => ({
    field: e.field?.endsWith(".url") ? "acsUrl" : e.field?.endsWith(".index") ? "acsIndex" : "acs",
    message: e.message,
  }));
  return { document: copy, errors: found };
};

export type CredentialsForm = {
  readonly signingKeyPairId: string;
  readonly algorithm: string;
  readonly includeCertInSignature: boolean;
  readonly includeRawKeyInSignature: boolean;
};

/** Digital Signature Settings: the signing key pair, the algorithm, and what KeyInfo carries. */
export const applyCredentials = (
  document: SpConnection,
  form: CredentialsForm,
  keys: readonly { id: string; keyAlgorithm: "RSA" | "EC" }[],
): { document: SpConnection; errors: ErrorDetail[] } => {
  const copy = structuredClone(document);
  const key = keys.find((k) => k.id === form.signingKeyPairId);
  if (!key)
    return {
      document: copy,
      errors: [{ field: "signingKeyPairId", message: "choose a signing certificate" }],
    };
  const algorithm = signingAlgorithms.find((a) => a === form.algorithm);
  const errors: ErrorDetail[] = [];
  if (algorithm && algorithm.endsWith("ECDSA") !== (key.keyAlgorithm === "EC"))
    errors.push({
      field: "algorithm",
      message: `${algorithm} does not sign with an ${key.keyAlgorithm} key`,
    });
  copy.credentials = {
    ...copy.credentials,
    signingSettings: {
      ...copy.credentials?.signingSettings,
      signingKeyPairRef: { id: key.id },
      algorithm: algorithm ?? (key.keyAlgorithm === "EC" ? "SHA256withECDSA" : "SHA256withRSA"),
      includeCertInSignature: form.includeCertInSignature,
      includeRawKeyInSignature: form.includeRawKeyInSignature,
    },
  };
  return { document: copy, errors: [...errors, ...errorsUnder(copy, ["credentials"])] };
};
