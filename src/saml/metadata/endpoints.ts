import { attr, childElements } from "../../xml/select.ts";
import { binding, ns } from "../urn.ts";
import { metadataError, quote } from "./metadata-error.ts";

/** Short names of the bindings Portico understands, keyed by their URN (saml-bindings §3). */
const bindingNames = {
  [binding.httpPost]: "POST",
  [binding.httpRedirect]: "REDIRECT",
  [binding.httpArtifact]: "ARTIFACT",
  [binding.soap]: "SOAP",
  [binding.paos]: "PAOS",
} as const;
type BindingName = (typeof bindingNames)[keyof typeof bindingNames];

/** Bindings an AssertionConsumerService may use for Web Browser SSO and ECP (saml-profiles §4.1, §4.2). */
export type AcsBinding = Exclude<BindingName, "SOAP">;
/** Bindings a SingleLogoutService may use (saml-profiles §4.4). */
export type SloBinding = Exclude<BindingName, "PAOS">;

/** An `md:AssertionConsumerService`: where Responses go. */
export type AssertionConsumerService = {
  readonly binding: AcsBinding;
  /** The Location, exactly as written (entity references already decoded). */
  readonly url: string;
  readonly index: number;
  /** The one default endpoint of the set (saml-metadata §2.2.3). */
  readonly isDefault: boolean;
};

/** An `md:SingleLogoutService`. */
export type SingleLogoutService = {
  readonly binding: SloBinding;
  readonly url: string;
  /** Where LogoutResponses go when it differs from `url` (saml-metadata §2.2.2). */
  readonly responseUrl?: string;
};

const ACS_BINDINGS: ReadonlySet<string> = new Set<AcsBinding>(["POST", "REDIRECT", "ARTIFACT", "PAOS"]);
const SLO_BINDINGS: ReadonlySet<string> = new Set<SloBinding>(["POST", "REDIRECT", "ARTIFACT", "SOAP"]);

const bindingName = (uri: string): BindingName | undefined =>
  Object.hasOwn(bindingNames, uri) ? bindingNames[uri as keyof typeof bindingNames] : undefined;

/** xs:boolean (XML Schema Part 2 §3.2.2), whitespace collapsed. */
export const parseBoolean = (value: string | undefined, where: string): boolean | undefined => {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "true" || trimmed === "1") return true;
  if (trimmed === "false" || trimmed === "0") return false;
  throw metadataError("SAML_METADATA_INVALID", `${where} must be true or false, not ${quote(value)}`);
};

/**
 * An endpoint Location must be an absolute http(s) URL: it becomes the target of an auto-posted
 * form, where `javascript:` or a relative path would be dangerous or meaningless. The value is
 * returned as written (only trimmed, xs:anyURI collapses whitespace), not re-serialized by `URL`,
 * because Salesforce compares the Recipient with its own string byte for byte.
 */
const absoluteUrl = (value: string | undefined, where: string, attribute = "Location"): string => {
  if (value === undefined) throw metadataError("SAML_METADATA_INVALID", `${where} has no ${attribute}`);
  const trimmed = value.trim();
  let parsed: URL | undefined;
  try {
    parsed = /\s/.test(trimmed) ? undefined : new URL(trimmed);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
    throw metadataError(
      "SAML_METADATA_INVALID",
      `${where} ${attribute} ${quote(value)} is not an absolute http(s) URL`,
    );
  }
  return trimmed;
};

const MAX_UNSIGNED_SHORT = 65535;

/**
 * The AssertionConsumerService endpoints in metadata order, with bindings Portico does not know
 * left out. Indexes must be distinct unsignedShorts across all of them. The default is chosen
 * among the kept ones as saml-metadata §2.2.3 says: the first with isDefault="true", else the first
 * without isDefault="false", else the first.
 */
export const readAssertionConsumerServices = (descriptor: Element): AssertionConsumerService[] => {
  const seen = new Set<number>();
  const kept: { service: Omit<AssertionConsumerService, "isDefault">; isDefault: boolean | undefined }[] = [];
  for (const element of childElements(descriptor, ns.metadata, "AssertionConsumerService")) {
    const rawIndex = attr(element, "index");
    const indexText = rawIndex?.trim() ?? "";
    const index = /^[0-9]{1,5}$/.test(indexText) ? Number(indexText) : Number.NaN;
    if (!(index <= MAX_UNSIGNED_SHORT)) {
      throw metadataError(
        "SAML_METADATA_INVALID",
        rawIndex === undefined
          ? "an AssertionConsumerService has no index attribute"
          : `AssertionConsumerService index ${quote(rawIndex)} is not an integer from 0 to ${MAX_UNSIGNED_SHORT}`,
      );
    }
    if (seen.has(index)) {
      throw metadataError("SAML_METADATA_INVALID", `AssertionConsumerService index ${index} is used twice`);
    }
    seen.add(index);
    const where = `AssertionConsumerService index ${index}`;
    const isDefault = parseBoolean(attr(element, "isDefault"), `${where} isDefault`);
    const url = absoluteUrl(attr(element, "Location"), where);
    const name = bindingName(attr(element, "Binding")?.trim() ?? "");
    if (name === undefined || !ACS_BINDINGS.has(name)) continue;
    kept.push({ service: { binding: name as AcsBinding, url, index }, isDefault });
  }

  let defaultAt = kept.findIndex((entry) => entry.isDefault === true);
  if (defaultAt === -1) defaultAt = kept.findIndex((entry) => entry.isDefault !== false);
  if (defaultAt === -1) defaultAt = 0;
  return kept.map((entry, at) => ({ ...entry.service, isDefault: at === defaultAt }));
};

/** Whether the descriptor lists any AssertionConsumerService, known binding or not. */
export const hasAnyAssertionConsumerService = (descriptor: Element): boolean =>
  childElements(descriptor, ns.metadata, "AssertionConsumerService").length > 0;

/** The SingleLogoutService endpoints in metadata order, bindings Portico does not know left out. */
export const readSingleLogoutServices = (descriptor: Element): SingleLogoutService[] => {
  const out: SingleLogoutService[] = [];
  for (const element of childElements(descriptor, ns.metadata, "SingleLogoutService")) {
    const name = bindingName(attr(element, "Binding")?.trim() ?? "");
    const where = `SingleLogoutService${name === undefined ? "" : ` (${name})`}`;
    const url = absoluteUrl(attr(element, "Location"), where);
    const response = attr(element, "ResponseLocation");
    if (name === undefined || !SLO_BINDINGS.has(name)) continue;
    out.push({
      binding: name as SloBinding,
      url,
      ...(response === undefined ? {} : { responseUrl: absoluteUrl(response, where, "ResponseLocation") }),
    });
  }
  return out;
};
