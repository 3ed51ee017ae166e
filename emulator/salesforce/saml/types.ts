/** What the SAML service provider needs to know about the emulated org. */
export type SamlOrgView = {
  /** 15-character org id (00D…). */
  orgId: string;
  /** e.g. http://127.0.0.1:8443, no trailing slash. */
  instanceUrl: string;
  communities: { name: string; urlPathPrefix: string; siteId: string }[];
  findUser(by: "Username" | "FederationIdentifier", value: string): SamlUser | undefined;
  now(): Date;
};

export type SamlUser = {
  Id: string;
  Username: string;
  FederationIdentifier: string | null;
  IsActive: boolean;
  IsFrozen: boolean;
};
