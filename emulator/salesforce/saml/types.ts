/** What the SAML service provider needs to know about the emulated org. */
export type SamlOrgView = {
  /** 15-character org id (00D…). */
  orgId: string;
  /** e.g. http://127.0.0.1:8443, no trailing slash. */
  instanceUrl: string;
  communities: { name: string; urlPathPrefix: string; siteId: string }[];
  findUser(by: "Username" | "FederationIdentifier", value: string): SamlUser | undefined;
  /** Standard SAML JIT: creates or updates the user the assertion describes. */
  provision?(request: JitRequest): JitOutcome;
  now(): Date;
};

export type SamlUser = {
  Id: string;
  Username: string;
  FederationIdentifier: string | null;
  IsActive: boolean;
  IsFrozen: boolean;
};

/** One row of Salesforce's "Just-in-Time Provisioning Errors" table, as it is sent back. */
export type JitError = { code: number; description: string; details: string };

/** What the org needs to provision: the subject's Federation ID and the assertion's attributes. */
export type JitRequest = {
  federationId: string;
  /** Every attribute's first value, by Name. */
  attributes: Map<string, string>;
  /** The Experience Cloud site the assertion was posted to, if any. */
  community?: { name: string; urlPathPrefix: string; siteId: string };
};

export type JitOutcome = { ok: true; user: SamlUser; created: boolean } | { ok: false; error: JitError };
