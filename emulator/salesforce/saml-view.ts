import { provisionFromAssertion } from "./jit-provision.ts";
import type { SamlOrgView } from "./saml/index.ts";
import type { EmulatorState } from "./state.ts";

/** What the SAML service provider (saml/) sees of the org: its ids, URLs, communities and users. */
export function samlView(state: EmulatorState): SamlOrgView {
  const org = state.org;
  return {
    orgId: org.orgId15,
    instanceUrl: org.instanceUrl,
    communities: org.communities,
    now: () => org.clock(),
    provision: (request) => provisionFromAssertion(org, request),
    findUser(by, value) {
      let user = by === "Username" ? org.userByUsername(value) : undefined;
      if (by === "FederationIdentifier") {
        // Federation ID matching is case-insensitive unless the org setting is off (§3.2).
        for (const id of org.store.table("User").lookup("FederationIdentifier", value.toLowerCase())) {
          const candidate = org.get("User", id);
          if (candidate === undefined) continue;
          if (org.settings.federationIdCaseInsensitive || candidate.FederationIdentifier === value) {
            user = candidate;
            break;
          }
        }
      }
      if (user === undefined) return undefined;
      return {
        Id: user.Id,
        Username: String(user.Username),
        FederationIdentifier:
          typeof user.FederationIdentifier === "string" ? user.FederationIdentifier : null,
        IsActive: user.IsActive === true,
        IsFrozen: org.userLoginOf(user.Id)?.IsFrozen === true,
      };
    },
  };
}
