/**
 * The Salesforce connector's target settings (`outboundProvision.targetSettings`): one table that
 * drives validation, parsing and the connector descriptor. Names are PingFederate's where it has
 * them (pingfederate-salesforce-spec.md §2.4, §5.1); the rest are Portico's. A name containing
 * secret, token, password or key is sealed (isSecretFieldName), so only real secrets may carry one.
 */

export const authMethods = ["REFRESH_TOKEN", "CLIENT_CREDENTIALS", "JWT_BEARER"] as const;
export type AuthMethod = (typeof authMethods)[number];

export const permissionSetLabels = {
  MERGE: "Merge with permission sets in Salesforce",
  OVERWRITE: "Overwrite permission sets in Salesforce",
} as const;

/** v66.0 is Spring '26, what the emulator and current orgs serve (salesforce-api.md §0). */
export const defaultApiVersion = "66.0";
export const defaultSalesforceDomain = "login.salesforce.com";

/** PingFederate's field descriptor types (`FieldDescriptor.type`). */
export type SettingType = "TEXT" | "HASHED_TEXT" | "CHECK_BOX" | "SELECT";

export type SettingDescriptor = {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly type: SettingType;
  readonly defaultValue?: string;
  readonly options?: readonly { readonly name: string; readonly value: string }[];
  /** The auth methods that cannot work without it; empty when it is never required. */
  readonly requiredFor: readonly AuthMethod[];
  readonly advanced?: boolean;
};

const check = (
  name: string,
  label: string,
  defaultValue: boolean,
  description: string,
): SettingDescriptor => ({
  name,
  label,
  description,
  type: "CHECK_BOX",
  defaultValue: String(defaultValue),
  requiredFor: [],
});

export const salesforceSettings: readonly SettingDescriptor[] = [
  {
    name: "SALESFORCE_DOMAIN",
    label: "Salesforce Domain",
    description:
      "Where Portico asks for tokens: your My Domain (acme.my.salesforce.com), login.salesforce.com, test.salesforce.com, a sandbox or an Experience Cloud site host. https only; a bare name means <name>.my.salesforce.com.",
    type: "TEXT",
    defaultValue: defaultSalesforceDomain,
    requiredFor: [],
  },
  {
    name: "AUTH_METHOD",
    label: "Authentication Method",
    description:
      "How Portico gets access tokens: a refresh token (from Connect to Salesforce, or pasted), the client credentials flow with a Run As user, or a JWT signed by a key pair Portico holds.",
    type: "SELECT",
    defaultValue: "REFRESH_TOKEN",
    options: [
      { name: "Refresh token", value: "REFRESH_TOKEN" },
      { name: "Client credentials", value: "CLIENT_CREDENTIALS" },
      { name: "JWT bearer", value: "JWT_BEARER" },
    ],
    requiredFor: [],
  },
  {
    name: "CLIENT_ID",
    label: "Client ID",
    description: "The connected app's (or External Client App's) Consumer Key.",
    type: "TEXT",
    requiredFor: ["REFRESH_TOKEN", "CLIENT_CREDENTIALS", "JWT_BEARER"],
  },
  {
    name: "CLIENT_SECRET",
    label: "Client Secret",
    description: "The connected app's Consumer Secret. Stored sealed, never shown.",
    type: "HASHED_TEXT",
    requiredFor: ["REFRESH_TOKEN", "CLIENT_CREDENTIALS"],
  },
  {
    name: "OAUTH_ACCESS_TOKEN",
    label: "OAuth Access Token",
    description: "An access token from an earlier authorization (kept for PingFederate exports). Sealed.",
    type: "HASHED_TEXT",
    requiredFor: [],
  },
  {
    name: "OAUTH_REFRESH_TOKEN",
    label: "OAuth Refresh Token",
    description:
      "The refresh token Portico renews access with; Connect to Salesforce fills it in. Sealed; a rotated one is kept by Portico.",
    type: "HASHED_TEXT",
    requiredFor: ["REFRESH_TOKEN"],
  },
  {
    name: "JWT_USERNAME",
    label: "JWT Username",
    description: "The Salesforce username the JWT bearer flow acts as (the JWT's sub).",
    type: "TEXT",
    requiredFor: ["JWT_BEARER"],
  },
  {
    name: "JWT_SIGNING_CERTIFICATE",
    label: "JWT Signing Certificate",
    description:
      "The id of the RSA signing key pair (/keyPairs/signing) whose key signs the JWT; upload its certificate to the connected app.",
    type: "TEXT",
    requiredFor: ["JWT_BEARER"],
  },
  {
    name: "JWT_AUDIENCE",
    label: "JWT Audience",
    description:
      "The JWT's aud. Default: https://login.salesforce.com, https://test.salesforce.com for sandboxes, or the site or emulator URL.",
    type: "TEXT",
    requiredFor: [],
    advanced: true,
  },
  {
    name: "API_VERSION",
    label: "API Version",
    description: "The Salesforce REST API version Portico calls, e.g. 66.0.",
    type: "TEXT",
    defaultValue: defaultApiVersion,
    requiredFor: [],
    advanced: true,
  },
  check(
    "ENABLE_COMMUNITIES",
    "Enable Communities",
    false,
    "Provision Experience Cloud users: a Contact under a business Account, then the User.",
  ),
  {
    name: "ACCOUNT_ID",
    label: "Account ID",
    description: "The business Account for community users' Contacts when the mapping gives none.",
    type: "TEXT",
    requiredFor: [],
  },
  {
    name: "PROFILE_ID",
    label: "Profile ID",
    description:
      "The profile for new users when the mapping gives none (a cloned community profile for community users).",
    type: "TEXT",
    requiredFor: [],
  },
  check("CREATE_USERS", "User Create", true, "Create Salesforce users for new users in scope."),
  check(
    "UPDATE_USERS",
    "User Update",
    true,
    "Push changes of mapped attributes; also re-enables returning users.",
  ),
  check(
    "DISABLE_USERS",
    "User Disable",
    true,
    "Deactivate (or freeze) users that leave scope or are disabled.",
  ),
  check(
    "PROVISION_DISABLED_USERS",
    "Provision Disabled Users",
    true,
    "Create a user that is disabled in the directory, as an inactive Salesforce user.",
  ),
  check(
    "FREEZE_USER_FLAG",
    "Freeze users instead of disable",
    false,
    "Freeze the login (keeps the licence) rather than deactivate the user.",
  ),
  {
    name: "PERMISSION_SET_MANAGEMENT",
    label: "Permission set management",
    description:
      "Merge adds mapped permission sets and keeps others; Overwrite makes the user's assignments equal to the mapped ones.",
    type: "SELECT",
    defaultValue: permissionSetLabels.MERGE,
    options: [
      { name: permissionSetLabels.MERGE, value: permissionSetLabels.MERGE },
      { name: permissionSetLabels.OVERWRITE, value: permissionSetLabels.OVERWRITE },
    ],
    requiredFor: [],
  },
];

export const settingByName: ReadonlyMap<string, SettingDescriptor> = new Map(
  salesforceSettings.map((s) => [s.name, s]),
);
