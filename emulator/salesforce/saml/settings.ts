import { X509Certificate } from "node:crypto";
import { toPem } from "./keys.ts";

/**
 * Single Sign-On Settings of one SAML configuration, the subset of Salesforce's
 * `SamlSsoConfig` the emulator models (salesforce-api.md §5.1).
 */
export type SsoSettings = {
  name: string;
  /** Must equal the IdP's `<saml:Issuer>` exactly. */
  issuer: string;
  /** PEM of the Identity Provider Certificate; the only key signatures are checked with. */
  idpCertificate: string;
  identityType: "Username" | "FederationId";
  identityLocation: "SubjectNameId" | "Attribute";
  attributeName?: string;
  /** Salesforce's Issuer in AuthnRequests and the Audience it expects. */
  entityId: string;
  idpLoginUrl?: string;
  /** The IdP's single logout URL: where LogoutRequests and LogoutResponses are sent. */
  idpLogoutUrl?: string;
  requestBinding: "HTTP-Redirect" | "HTTP-POST";
  signRequests: boolean;
  requestSignatureMethod: "RSA-SHA256" | "RSA-SHA1";
  /** When true the SP publishes an encryption key and requires an EncryptedAssertion. */
  assertionDecryptionCertificate: boolean;
  /**
   * "Just-in-time User Provisioning: User Provisioning Enabled", standard (not Apex-handler)
   * JIT: a valid assertion's `User.*` (and, at a site, `Contact.*`/`Account.*`) attributes create
   * or update the user (salesforce-api.md §5.7).
   */
  userProvisioning: boolean;
};

export type SettingsProblem = { field: string; message: string };

export type SettingsResult = { ok: true; settings: SsoSettings } | { ok: false; problems: SettingsProblem[] };

const KNOWN_FIELDS = new Set([
  "name",
  "issuer",
  "idpCertificate",
  "identityType",
  "identityLocation",
  "attributeName",
  "entityId",
  "idpLoginUrl",
  "idpLogoutUrl",
  "requestBinding",
  "signRequests",
  "requestSignatureMethod",
  "assertionDecryptionCertificate",
  "userProvisioning",
]);

function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  fallback: T,
  field: string,
  problems: SettingsProblem[],
): T {
  if (value === undefined) return fallback;
  const match = allowed.find((a) => a === value);
  if (match === undefined) {
    problems.push({ field, message: `must be one of ${allowed.join(", ")}` });
    return fallback;
  }
  return match;
}

function optionalString(value: unknown, field: string, problems: SettingsProblem[]): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") {
    problems.push({ field, message: "must be a string" });
    return undefined;
  }
  return value;
}

function optionalUrl(value: unknown, field: string, problems: SettingsProblem[]) {
  const s = optionalString(value, field, problems);
  if (s === undefined) return undefined;
  if (!URL.canParse(s) || !/^https?:$/.test(new URL(s).protocol)) {
    problems.push({ field, message: "must be an absolute http(s) URL" });
    return undefined;
  }
  return s;
}

/** Accepts a PEM certificate or its base64 DER body; returns PEM, or undefined if not a cert. */
export function normalizeCertificate(input: string): string | undefined {
  const trimmed = input.trim();
  try {
    if (trimmed.includes("-----BEGIN CERTIFICATE-----")) {
      return toPem(new X509Certificate(trimmed).raw, "CERTIFICATE");
    }
    const compact = trimmed.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
    return toPem(new X509Certificate(Buffer.from(compact, "base64")).raw, "CERTIFICATE");
  } catch {
    return undefined;
  }
}

/** Validates a `PUT /_emulator/sso` body; `defaultEntityId` is the org's My Domain URL. */
export function parseSsoSettings(input: unknown, defaultEntityId: string): SettingsResult {
  const problems: SettingsProblem[] = [];
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ field: "", message: "body must be a JSON object" }] };
  }
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key)) problems.push({ field: key, message: "unknown field" });
  }

  const issuer = optionalString(body.issuer, "issuer", problems);
  if (issuer === undefined) problems.push({ field: "issuer", message: "is required" });

  let idpCertificate: string | undefined;
  const rawCert = optionalString(body.idpCertificate, "idpCertificate", problems);
  if (rawCert === undefined) {
    problems.push({ field: "idpCertificate", message: "is required" });
  } else {
    idpCertificate = normalizeCertificate(rawCert);
    if (idpCertificate === undefined) {
      problems.push({
        field: "idpCertificate",
        message: "must be an X.509 certificate (PEM or base64 DER)",
      });
    }
  }

  const identityType = oneOf(
    body.identityType,
    ["Username", "FederationId"] as const,
    "Username",
    "identityType",
    problems,
  );
  const identityLocation = oneOf(
    body.identityLocation,
    ["SubjectNameId", "Attribute"] as const,
    "SubjectNameId",
    "identityLocation",
    problems,
  );
  const attributeName = optionalString(body.attributeName, "attributeName", problems);
  if (identityLocation === "Attribute" && attributeName === undefined) {
    problems.push({ field: "attributeName", message: "is required when identityLocation is Attribute" });
  }

  const entityId = optionalString(body.entityId, "entityId", problems) ?? defaultEntityId;
  const idpLoginUrl = optionalUrl(body.idpLoginUrl, "idpLoginUrl", problems);
  const idpLogoutUrl = optionalUrl(body.idpLogoutUrl, "idpLogoutUrl", problems);
  const requestBinding = oneOf(
    body.requestBinding,
    ["HTTP-Redirect", "HTTP-POST"] as const,
    "HTTP-Redirect",
    "requestBinding",
    problems,
  );
  const requestSignatureMethod = oneOf(
    body.requestSignatureMethod,
    ["RSA-SHA256", "RSA-SHA1"] as const,
    "RSA-SHA256",
    "requestSignatureMethod",
    problems,
  );
  const signRequests = optionalBoolean(body.signRequests, true, "signRequests", problems);
  const assertionDecryptionCertificate = optionalBoolean(
    body.assertionDecryptionCertificate,
    false,
    "assertionDecryptionCertificate",
    problems,
  );
  const userProvisioning = optionalBoolean(body.userProvisioning, false, "userProvisioning", problems);
  // Salesforce Help, "Just-in-Time Provisioning for SAML": JIT requires the Federation ID as
  // the SAML Identity Type.
  if (userProvisioning && identityType !== "FederationId") {
    problems.push({
      field: "userProvisioning",
      message:
        "User Provisioning requires identityType FederationId (the assertion carries the Federation ID)",
    });
  }
  const name = optionalString(body.name, "name", problems) ?? "Portico";

  if (problems.length > 0 || issuer === undefined || idpCertificate === undefined) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    settings: {
      name,
      issuer,
      idpCertificate,
      identityType,
      identityLocation,
      ...(attributeName !== undefined && identityLocation === "Attribute" ? { attributeName } : {}),
      entityId,
      ...(idpLoginUrl !== undefined ? { idpLoginUrl } : {}),
      ...(idpLogoutUrl !== undefined ? { idpLogoutUrl } : {}),
      requestBinding,
      signRequests,
      requestSignatureMethod,
      assertionDecryptionCertificate,
      userProvisioning,
    },
  };
}

function optionalBoolean(
  value: unknown,
  fallback: boolean,
  field: string,
  problems: SettingsProblem[],
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    problems.push({ field, message: "must be a boolean" });
    return fallback;
  }
  return value;
}
