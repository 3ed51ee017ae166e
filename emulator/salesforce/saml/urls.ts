import type { SamlOrgView } from "./types.ts";

/** One place an assertion may be posted to: the org or one Experience Cloud site. */
export type AcsEndpoint = {
  /** The ACS URL as published in metadata and expected as Recipient. */
  url: string;
  /** Also accepted as Recipient (a site's URL without `&sc=`, salesforce-api.md §5.2). */
  alsoAccepted: string[];
  /** Where a relative RelayState is resolved and where the default landing page lives. */
  base: string;
  defaultLanding: string;
  community?: { name: string; urlPathPrefix: string; siteId: string };
};

/** salesforce-api.md §5.2: `<instanceUrl>?so=<orgId>` for the org. */
export function orgAcs(view: SamlOrgView): AcsEndpoint {
  return {
    url: `${view.instanceUrl}?so=${view.orgId}`,
    alsoAccepted: [],
    base: view.instanceUrl,
    defaultLanding: "/lightning/page/home",
  };
}

/** salesforce-api.md §5.2: `<site>/<prefix>/login?so=<orgId>&sc=<siteId>` per site. */
export function communityAcs(view: SamlOrgView, community: SamlOrgView["communities"][number]): AcsEndpoint {
  const login = `${view.instanceUrl}/${community.urlPathPrefix}/login?so=${view.orgId}`;
  return {
    url: `${login}&sc=${community.siteId}`,
    alsoAccepted: [login],
    base: `${view.instanceUrl}/${community.urlPathPrefix}`,
    defaultLanding: "/s/",
    community,
  };
}

export function allAcs(view: SamlOrgView): AcsEndpoint[] {
  return [orgAcs(view), ...view.communities.map((c) => communityAcs(view, c))];
}

export function findCommunity(view: SamlOrgView, prefix: string) {
  return view.communities.find((c) => c.urlPathPrefix === prefix);
}

export const SLO_PATH = "/services/auth/sp/saml2/logout";
export const LOGOUT_PATH = "/secur/logout.jsp";
export const METADATA_PATH_PREFIX = "/identity/saml/metadata";

export function sloUrl(view: SamlOrgView): string {
  return `${view.instanceUrl}${SLO_PATH}`;
}

/** `so=` names this org: its 15-character id, or the 18-character form of it. */
export function isThisOrg(so: string | undefined, view: SamlOrgView): boolean {
  return so === view.orgId || (so !== undefined && so.length === 18 && so.startsWith(view.orgId));
}
