import type { BindingLimits } from "../../saml/bindings/message.ts";

/**
 * Size caps of the SSO and SLO endpoints, before and after inflate. Salesforce's signed
 * AuthnRequest is a few KB; these leave room for a long certificate chain in KeyInfo and nothing
 * for a flood. (A 1 MiB document costs the parser most of a second.)
 */
export const bindingLimits: BindingLimits = { maxEncodedBytes: 16 * 1024, maxXmlBytes: 64 * 1024 };
