import type { Org } from "../org.ts";
import { formatDateTime } from "../values.ts";

/**
 * The identity URL (salesforce-api.md §1.7): `{login URL}/id/{orgId}/{userId}`, the token response's
 * `id`, and what a GET of it returns: the user, the org and the API URLs, as jsforce's `identity()`
 * reads them. In `urls`, `{version}` stays literal unless `?version=` asks for one.
 */

export function identityUrl(org: Org, userId: string): string {
  return `${org.loginUrl}/id/${org.settings.orgId}/${userId}`;
}

/** The zone's offset from UTC in milliseconds at `at`, as Salesforce reports utcOffset. */
function utcOffsetMs(zone: string, at: Date): number {
  try {
    const wall = (timeZone: string): number =>
      Date.parse(`${at.toLocaleString("en-US", { timeZone, hourCycle: "h23" })} UTC`);
    return wall(zone) - wall("UTC");
  } catch {
    return 0;
  }
}

function urls(org: Org, userId: string, version: string): Record<string, string> {
  const base = org.instanceUrl;
  const data = `${base}/services/data/v${version}`;
  return {
    enterprise: `${base}/services/Soap/c/${version}/${org.orgId15}`,
    metadata: `${base}/services/Soap/m/${version}/${org.orgId15}`,
    partner: `${base}/services/Soap/u/${version}/${org.orgId15}`,
    rest: `${data}/`,
    sobjects: `${data}/sobjects/`,
    search: `${data}/search/`,
    query: `${data}/query/`,
    recent: `${data}/recent/`,
    tooling_soap: `${base}/services/Soap/T/${version}/${org.orgId15}`,
    tooling_rest: `${data}/tooling/`,
    profile: `${base}/${userId}`,
    feeds: `${data}/chatter/feeds`,
    groups: `${data}/chatter/groups`,
    users: `${data}/chatter/users`,
    feed_items: `${data}/chatter/feed-items`,
    feed_elements: `${data}/chatter/feed-elements`,
    custom_domain: base,
  };
}

/** `version` is "latest", "NN.0", or undefined for the literal `{version}`. */
export function identityInfo(
  org: Org,
  userId: string,
  version: string | undefined,
): Record<string, unknown> | undefined {
  const user = org.get("User", userId);
  if (user === undefined) return undefined;
  const shown =
    version === "latest"
      ? `${org.settings.maxApiVersion}.0`
      : version !== undefined && /^\d+\.0$/.test(version)
        ? version
        : "{version}";
  const now = org.clock();
  const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
  return {
    id: identityUrl(org, user.Id),
    asserted_user: true,
    user_id: user.Id,
    organization_id: org.settings.orgId,
    username: user.Username,
    nick_name: user.CommunityNickname,
    display_name: user.Name,
    email: user.Email,
    email_verified: true,
    first_name: user.FirstName,
    last_name: user.LastName,
    timezone: user.TimeZoneSidKey,
    photos: {
      picture: `${org.instanceUrl}/profilephoto/005/F`,
      thumbnail: `${org.instanceUrl}/profilephoto/005/T`,
    },
    addr_street: text(user.Street),
    addr_city: text(user.City),
    addr_state: text(user.State),
    addr_country: text(user.Country),
    addr_zip: text(user.PostalCode),
    mobile_phone: text(user.MobilePhone),
    mobile_phone_verified: false,
    is_lightning_login_user: false,
    status: { created_date: null, body: null },
    urls: urls(org, user.Id, shown),
    active: user.IsActive,
    user_type: String(user.UserType ?? "Standard").toUpperCase(),
    language: user.LanguageLocaleKey,
    locale: user.LocaleSidKey,
    utcOffset: utcOffsetMs(String(user.TimeZoneSidKey ?? "GMT"), now),
    last_modified_date: String(user.LastModifiedDate ?? formatDateTime(now)).replace("+0000", "Z"),
    is_app_installed: true,
  };
}
