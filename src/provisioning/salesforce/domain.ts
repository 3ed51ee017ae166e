import { isIP } from "node:net";

/**
 * SALESFORCE_DOMAIN: where Portico asks for tokens (salesforce-api.md §1.1). A host or an origin,
 * never a path; https, except plain http to a loopback address (the emulator in tests and demos).
 */

export type DomainKind = "login" | "test" | "sandbox" | "my-domain" | "site" | "loopback";

export type SalesforceDomain = {
  /** `https://acme.my.salesforce.com`, no trailing slash. */
  readonly origin: string;
  readonly kind: DomainKind;
};

const isLoopback = (hostname: string): boolean => {
  const bare = hostname.replace(/^\[|\]$/g, "");
  if (bare === "localhost" || bare === "::1") return true;
  return isIP(bare) === 4 && bare.startsWith("127.");
};

const kindOf = (hostname: string): DomainKind => {
  const host = hostname.toLowerCase();
  if (isLoopback(host)) return "loopback";
  if (host === "login.salesforce.com") return "login";
  if (host === "test.salesforce.com") return "test";
  if (host.endsWith(".sandbox.my.salesforce.com")) return "sandbox";
  if (host.endsWith(".my.salesforce.com")) return "my-domain";
  return "site";
};

/** The domain, or the reason it is refused (in words for an admin). */
export const parseSalesforceDomain = (input: string): SalesforceDomain | { problem: string } => {
  const text = input.trim();
  if (text === "") return { problem: "is empty" };
  // A bare My Domain name, as PingOne's SUBDOMAIN takes it.
  const withHost = /^[a-z0-9-]+$/i.test(text) ? `${text}.my.salesforce.com` : text;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(withHost) ? withHost : `https://${withHost}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { problem: `"${text}" is not a host name or URL` };
  }
  if (url.username !== "" || url.password !== "")
    return { problem: "must not carry a user name or password" };
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    return { problem: "must be a host or an origin, without a path or query (e.g. acme.my.salesforce.com)" };
  }
  const loopback = isLoopback(url.hostname);
  if (url.protocol === "http:" && !loopback) {
    return { problem: "must use https (plain http only to a loopback address)" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { problem: "must be an https URL" };
  return { origin: url.origin, kind: kindOf(url.hostname) };
};

/**
 * The JWT's `aud` when JWT_AUDIENCE is not set (salesforce-api.md §1.2b): the login host for
 * production, test.salesforce.com for sandboxes, the site or emulator itself otherwise.
 */
export const defaultJwtAudience = (domain: SalesforceDomain): string => {
  switch (domain.kind) {
    case "login":
    case "my-domain":
      return "https://login.salesforce.com";
    case "test":
    case "sandbox":
      return "https://test.salesforce.com";
    default:
      return domain.origin;
  }
};
