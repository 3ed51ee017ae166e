import { type ConfigField, isSecretFieldName } from "../../domain/sp-connection.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import { defaultJwtAudience, parseSalesforceDomain, type SalesforceDomain } from "./domain.ts";
import {
  type AuthMethod,
  authMethods,
  defaultApiVersion,
  defaultSalesforceDomain,
  permissionSetLabels,
  type SettingDescriptor,
  salesforceSettings,
  settingByName,
} from "./settings.ts";

/** A connection's Salesforce target, typed: what the token manager, the client and the engine read. */
export type SalesforceTarget = {
  readonly domain: SalesforceDomain;
  readonly authMethod: AuthMethod;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  /** The refresh token as configured; a rotated one lives in Portico's token store. */
  readonly refreshToken: string | undefined;
  readonly jwt:
    | { readonly username: string; readonly audience: string; readonly signingKeyPairId: string }
    | undefined;
  /** "66.0" */
  readonly apiVersion: string;
  readonly enableCommunities: boolean;
  readonly createUsers: boolean;
  readonly updateUsers: boolean;
  readonly disableUsers: boolean;
  readonly provisionDisabledUsers: boolean;
  readonly freezeUsers: boolean;
  readonly permissionSetManagement: "MERGE" | "OVERWRITE";
  readonly accountId: string | undefined;
  readonly profileId: string | undefined;
};

const path = "outboundProvision.targetSettings";
const at = (index: number | undefined, name: string) =>
  index === undefined ? `${path} (${name})` : `${path}[${index}] (${name})`;

/** A value that counts as given: non-empty text, or a sealed secret. */
const isGiven = (field: ConfigField | undefined): boolean =>
  field !== undefined &&
  ((field.value !== undefined && field.value.trim() !== "") || field.encryptedValue !== undefined);

const plain = (fields: readonly ConfigField[], name: string): string | undefined => {
  const value = fields.find((f) => f.name === name)?.value?.trim();
  return value === undefined || value === "" ? undefined : value;
};

/** Levenshtein distance, for "did you mean" on a mistyped setting name. */
const distance = (a: string, b: string): number => {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length] ?? 0;
};

const unknownName = (name: string): string => {
  const upper = name.toUpperCase();
  const closest = salesforceSettings
    .map((s) => ({ name: s.name, d: distance(upper, s.name) }))
    .sort((x, y) => x.d - y.d)[0];
  const hint = closest && closest.d <= 3 ? `; did you mean ${closest.name}?` : "";
  return `is not a setting of the Salesforce connector${hint}`;
};

const apiVersionPattern = /^v?(\d{2,3})(?:\.0)?$/;
const idPattern = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const permissionSetValues: Readonly<Record<string, "MERGE" | "OVERWRITE">> = {
  MERGE: "MERGE",
  OVERWRITE: "OVERWRITE",
  [permissionSetLabels.MERGE.toUpperCase()]: "MERGE",
  [permissionSetLabels.OVERWRITE.toUpperCase()]: "OVERWRITE",
};

/** What is wrong with one given value, or undefined. */
const valueProblem = (setting: SettingDescriptor, value: string): string | undefined => {
  switch (setting.name) {
    case "SALESFORCE_DOMAIN": {
      const domain = parseSalesforceDomain(value);
      return "problem" in domain ? domain.problem : undefined;
    }
    case "AUTH_METHOD":
      return (authMethods as readonly string[]).includes(value)
        ? undefined
        : `must be one of ${authMethods.join(", ")}`;
    case "PERMISSION_SET_MANAGEMENT":
      return value.toUpperCase() in permissionSetValues
        ? undefined
        : `must be "${permissionSetLabels.MERGE}" or "${permissionSetLabels.OVERWRITE}"`;
    case "API_VERSION": {
      const major = Number(apiVersionPattern.exec(value)?.[1]);
      return major >= 31 ? undefined : "must be a Salesforce API version from 31.0, e.g. 66.0";
    }
    case "ACCOUNT_ID":
    case "PROFILE_ID": {
      const prefix = setting.name === "ACCOUNT_ID" ? "001" : "00e";
      return idPattern.test(value) && value.startsWith(prefix)
        ? undefined
        : `must be a 15- or 18-character Salesforce id starting with ${prefix}`;
    }
    default:
      if (setting.type === "CHECK_BOX" && !/^(true|false)$/i.test(value)) return "must be true or false";
      return undefined;
  }
};

/**
 * What is wrong with the settings as written, whatever is still missing: unknown names (typos),
 * bad values, a secret given in a non-secret setting, combinations that can never work. Applied
 * when a connection is saved.
 */
export const targetSettingErrors = (fields: readonly ConfigField[]): ErrorDetail[] => {
  const errors: ErrorDetail[] = [];
  fields.forEach((field, i) => {
    const setting = settingByName.get(field.name);
    if (setting === undefined) {
      errors.push({ field: at(i, field.name), message: unknownName(field.name) });
      return;
    }
    const value = field.value?.trim();
    if (value === undefined || value === "" || isSecretFieldName(field.name)) return;
    const problem = valueProblem(setting, value);
    if (problem !== undefined) errors.push({ field: at(i, field.name), message: problem });
  });
  const method = plain(fields, "AUTH_METHOD") ?? "REFRESH_TOKEN";
  const domain = parseSalesforceDomain(plain(fields, "SALESFORCE_DOMAIN") ?? defaultSalesforceDomain);
  if (
    method === "CLIENT_CREDENTIALS" &&
    "kind" in domain &&
    (domain.kind === "login" || domain.kind === "test")
  ) {
    errors.push({
      field: at(undefined, "SALESFORCE_DOMAIN"),
      message: `the client credentials flow works only on your My Domain (e.g. acme.my.salesforce.com), not ${new URL(domain.origin).host}`,
    });
  }
  return errors;
};

/** The settings the configured AUTH_METHOD cannot work without, as errors naming each. */
export const missingTargetSettings = (fields: readonly ConfigField[]): ErrorDetail[] => {
  const method = plain(fields, "AUTH_METHOD") ?? "REFRESH_TOKEN";
  return salesforceSettings
    .filter((s) => (s.requiredFor as readonly string[]).includes(method))
    .filter((s) => !isGiven(fields.find((f) => f.name === s.name)))
    .map((s) => ({ field: at(undefined, s.name), message: `is required when AUTH_METHOD is ${method}` }));
};

const flag = (fields: readonly ConfigField[], name: string): boolean =>
  (plain(fields, name) ?? settingByName.get(name)?.defaultValue ?? "false").toLowerCase() === "true";

const failWith = (code: "CONN_INVALID" | "PROV_TARGET_INCOMPLETE", details: ErrorDetail[]): never => {
  const first = details[0];
  throw new AppError(code, {
    message: first
      ? `${first.field}: ${first.message}${details.length > 1 ? ` (and ${details.length - 1} more)` : ""}`
      : undefined,
    details,
  });
};

/**
 * The typed target of complete, valid settings; secrets come from `reveal` (the service opens
 * them). Throws CONN_INVALID for a bad value and PROV_TARGET_INCOMPLETE for a missing one, both
 * naming the setting.
 */
export const parseSalesforceTarget = (
  fields: readonly ConfigField[],
  reveal: (field: ConfigField) => string | undefined,
): SalesforceTarget => {
  const invalid = targetSettingErrors(fields);
  if (invalid.length > 0) failWith("CONN_INVALID", invalid);
  const missing = missingTargetSettings(fields);
  if (missing.length > 0) failWith("PROV_TARGET_INCOMPLETE", missing);
  const secret = (name: string): string | undefined => {
    const field = fields.find((f) => f.name === name);
    const value = field === undefined ? undefined : reveal(field);
    return value === undefined || value === "" ? undefined : value;
  };
  const domain = parseSalesforceDomain(plain(fields, "SALESFORCE_DOMAIN") ?? defaultSalesforceDomain);
  if ("problem" in domain) throw new AppError("INTERNAL");
  const authMethod = (plain(fields, "AUTH_METHOD") ?? "REFRESH_TOKEN") as AuthMethod;
  const username = plain(fields, "JWT_USERNAME");
  const keyPairId = plain(fields, "JWT_SIGNING_CERTIFICATE");
  const version = apiVersionPattern.exec(plain(fields, "API_VERSION") ?? defaultApiVersion)?.[1];
  return {
    domain,
    authMethod,
    clientId: plain(fields, "CLIENT_ID") ?? "",
    clientSecret: secret("CLIENT_SECRET"),
    refreshToken: secret("OAUTH_REFRESH_TOKEN"),
    jwt:
      authMethod === "JWT_BEARER" && username !== undefined && keyPairId !== undefined
        ? {
            username,
            signingKeyPairId: keyPairId,
            audience: plain(fields, "JWT_AUDIENCE") ?? defaultJwtAudience(domain),
          }
        : undefined,
    apiVersion: `${version ?? "66"}.0`,
    enableCommunities: flag(fields, "ENABLE_COMMUNITIES"),
    createUsers: flag(fields, "CREATE_USERS"),
    updateUsers: flag(fields, "UPDATE_USERS"),
    disableUsers: flag(fields, "DISABLE_USERS"),
    provisionDisabledUsers: flag(fields, "PROVISION_DISABLED_USERS"),
    freezeUsers: flag(fields, "FREEZE_USER_FLAG"),
    permissionSetManagement:
      permissionSetValues[(plain(fields, "PERMISSION_SET_MANAGEMENT") ?? "MERGE").toUpperCase()] ?? "MERGE",
    accountId: plain(fields, "ACCOUNT_ID"),
    profileId: plain(fields, "PROFILE_ID"),
  };
};
