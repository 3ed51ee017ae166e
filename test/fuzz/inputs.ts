/**
 * What the fuzz campaign feeds Portico: SAML messages grown from the valid corpus by mutation
 * (so most inputs get past the first checks and reach the deeper ones), XML built from SAML's
 * own vocabulary, and plain garbage; each encoded the way a binding carries it, or broken on the
 * way. The arbitraries are fast-check's, so a failure shrinks to a small counterexample and
 * replays from its seed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import fc from "fast-check";
import { corpusRoot, VALID } from "../fixtures/saml/attacks/generate.ts";

const validFolder = join(corpusRoot, VALID);

/** The valid corpus's messages as XML: Redirect queries inflated, POST files as they are. */
export const seedMessages: readonly string[] = readdirSync(validFolder)
  .filter((file) => file.endsWith(".xml") || file.endsWith(".query"))
  .sort()
  .map((file) => {
    const content = readFileSync(join(validFolder, file), "utf8");
    if (file.endsWith(".xml")) return content;
    const encoded =
      new URLSearchParams(content.trim()).get("SAMLRequest") ??
      new URLSearchParams(content.trim()).get("SAMLResponse") ??
      "";
    return inflateRawSync(Buffer.from(encoded, "base64")).toString("utf8");
  });

/** Pieces that have broken XML and SAML processors before (STYLE.md's attack list, the CVE history). */
const tokens = [
  '<!DOCTYPE r [<!ENTITY e "x">]>',
  '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1/">%p;]>',
  '<!ENTITY a "&b;&b;&b;&b;">',
  "&e;",
  "&#0;",
  "&#x110000;",
  "<!--",
  "-->",
  "<![CDATA[",
  "]]>",
  "<?xml version='1.1'?>",
  '<?xml-stylesheet href="x"?>',
  "<saml:Issuer>https://acme.my.salesforce.com</saml:Issuer>",
  '<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">evil</saml:Issuer>',
  '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>',
  "<samlp:AuthnRequest>",
  "</samlp:AuthnRequest>",
  '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">',
  'ID="_dup"',
  'ID=""',
  'IssueInstant="9999-12-31T23:59:59Z"',
  'IssueInstant="not a date"',
  'Version="1.0"',
  'AssertionConsumerServiceIndex="-1"',
  'AssertionConsumerServiceURL="javascript:alert(1)"',
  'Destination="https://evil.example.com/"',
  'xmlns=""',
  'xmlns:samlp="urn:evil"',
  "xmlns:xml='http://www.w3.org/XML/1998/namespace'",
  "\u0000",
  "\uFEFF",
  "\uD800",
  "\r\n",
  "<",
  ">",
  '"',
  "'",
  "=",
  "/>",
  "a".repeat(5000),
  "<x>".repeat(200),
];

type Mutation =
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number; length: number }
  | { kind: "duplicate"; at: number; length: number; to: number }
  | { kind: "flip"; at: number; byte: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.constantFrom(...tokens),
      fc.string({ maxLength: 20 }),
      fc.string({ unit: "binary", maxLength: 8 }),
    ),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 80 }) }),
  fc.record({
    kind: fc.constant("duplicate" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 400 }),
    to: fc.nat(),
  }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
);

const apply = (xml: string, m: Mutation): string => {
  const at = xml.length === 0 ? 0 : m.at % (xml.length + 1);
  switch (m.kind) {
    case "insert":
      return xml.slice(0, at) + m.text + xml.slice(at);
    case "delete":
      return xml.slice(0, at) + xml.slice(at + m.length);
    case "duplicate": {
      const piece = xml.slice(at, at + m.length);
      const to = xml.length === 0 ? 0 : m.to % (xml.length + 1);
      return xml.slice(0, to) + piece + xml.slice(to);
    }
    case "flip":
      return xml.slice(0, at) + String.fromCharCode(m.byte) + xml.slice(at + 1);
  }
};

/** A valid message with up to six mutations. */
const mutatedMessage = fc
  .tuple(fc.constantFrom(...seedMessages), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([xml, mutations]) => mutations.reduce(apply, xml));

const names = [
  "samlp:AuthnRequest",
  "samlp:LogoutRequest",
  "samlp:LogoutResponse",
  "saml:Issuer",
  "saml:NameID",
  "samlp:NameIDPolicy",
  "samlp:Status",
  "samlp:StatusCode",
  "samlp:SessionIndex",
  "ds:Signature",
  "ds:SignedInfo",
  "ds:Reference",
  "ds:Transforms",
  "ds:KeyInfo",
  "Extensions",
];
const attributeNames = [
  "ID",
  "Version",
  "IssueInstant",
  "Destination",
  "AssertionConsumerServiceURL",
  "Format",
  "URI",
  "Value",
  "xmlns:samlp",
  "xmlns:saml",
  "xmlns:ds",
];

const { element } = fc.letrec<{ element: string; attribute: string }>((tie) => ({
  attribute: fc
    .tuple(
      fc.constantFrom(...attributeNames),
      fc.oneof(
        fc.constantFrom(
          "2.0",
          "_a",
          "urn:oasis:names:tc:SAML:2.0:protocol",
          "urn:oasis:names:tc:SAML:2.0:assertion",
          "http://www.w3.org/2000/09/xmldsig#",
          "2025-07-01T12:00:00Z",
        ),
        fc.string({ maxLength: 12 }),
      ),
    )
    .map(([name, value]) => ` ${name}="${value.replace(/"/g, "&quot;")}"`),
  element: fc
    .tuple(
      fc.constantFrom(...names),
      fc.array(tie("attribute"), { maxLength: 4 }),
      fc.array(
        fc.oneof({ depthSize: "small", withCrossShrink: true }, fc.string({ maxLength: 10 }), tie("element")),
        { maxLength: 3 },
      ),
    )
    .map(([name, attributes, children]) => `<${name}${attributes.join("")}>${children.join("")}</${name}>`),
}));

/** XML made of SAML's vocabulary, mostly well-formed, rarely meaningful. */
const vocabularyXml = element as fc.Arbitrary<string>;

/** The message XML a fuzz input carries. */
export const messageXml: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: mutatedMessage, weight: 6 },
  { arbitrary: vocabularyXml, weight: 3 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 200 }), weight: 1 },
);

export type BindingInput =
  | { readonly endpoint: "sso" | "slo"; readonly binding: "redirect"; readonly query: string }
  | {
      readonly endpoint: "sso" | "slo";
      readonly binding: "post";
      readonly fields: Record<string, string | string[]>;
    };

const field = fc.constantFrom(
  "SAMLRequest",
  "SAMLResponse",
  "RelayState",
  "SigAlg",
  "Signature",
  "samlrequest",
  "",
);
const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.base64String({ maxLength: 80 }),
  fc.constantFrom("%", "%zz", "&&", "==", "+"),
);

/** A message as the Redirect binding carries it (deflated, base64, URL-encoded), or broken on the way. */
const redirectQuery: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      messageXml,
      fc.constantFrom("SAMLRequest", "SAMLResponse"),
      fc.option(fc.string({ maxLength: 100 }), { nil: undefined }),
      fc.option(
        fc.tuple(
          fc.constantFrom(
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            "none",
          ),
          fc.base64String({ maxLength: 350 }),
        ),
        { nil: undefined },
      ),
      fc.boolean(),
    )
    .map(([xml, name, relayState, signature, deflate]) => {
      const bytes = deflate ? deflateRawSync(Buffer.from(xml, "utf8")) : Buffer.from(xml, "utf8");
      const params = new URLSearchParams({ [name]: bytes.toString("base64") });
      if (relayState !== undefined) params.set("RelayState", relayState);
      if (signature) {
        params.set("SigAlg", signature[0]);
        params.set("Signature", signature[1]);
      }
      return params.toString();
    }),
  fc
    .array(fc.tuple(field, junk), { maxLength: 5 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join("&")),
  fc.string({ maxLength: 200 }),
);

/** A message as the POST binding carries it (base64 in a form field), or broken on the way. */
const postFields: fc.Arbitrary<Record<string, string | string[]>> = fc.oneof(
  fc
    .tuple(
      messageXml,
      fc.constantFrom("SAMLRequest", "SAMLResponse"),
      fc.option(fc.string({ maxLength: 100 }), { nil: undefined }),
    )
    .map(([xml, name, relayState]) => ({
      [name]: Buffer.from(xml, "utf8").toString("base64"),
      ...(relayState === undefined ? {} : { RelayState: relayState }),
    })),
  fc.dictionary(field, fc.oneof(junk, fc.array(junk, { maxLength: 3 })), { maxKeys: 4 }),
);

export const bindingInput: fc.Arbitrary<BindingInput> = fc.oneof(
  fc
    .tuple(fc.constantFrom("sso" as const, "slo" as const), redirectQuery)
    .map(([endpoint, query]) => ({ endpoint, binding: "redirect" as const, query })),
  fc
    .tuple(fc.constantFrom("sso" as const, "slo" as const), postFields)
    .map(([endpoint, fields]) => ({ endpoint, binding: "post" as const, fields })),
);

/** SP metadata grown from real metadata files by mutation, or SAML-vocabulary XML. */
export const metadataBytes = (seeds: readonly string[]): fc.Arbitrary<Buffer> =>
  fc
    .oneof(
      {
        arbitrary: fc
          .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 6 }))
          .map(([xml, ms]) => ms.reduce(apply, xml)),
        weight: 8,
      },
      { arbitrary: vocabularyXml, weight: 1 },
      { arbitrary: fc.string({ unit: "binary", maxLength: 200 }), weight: 1 },
    )
    .map((text) => Buffer.from(text, "utf8"));

/** A JSON document grown from a valid one: values replaced, keys added or dropped, types changed. */
export const mutatedJson = (seed: unknown): fc.Arbitrary<unknown> => {
  const paths: (string | number)[][] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, [...path, i]);
    } else if (value !== null && typeof value === "object")
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(seed, []);
  const hostile = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(
      "__proto__",
      "constructor",
      "",
      "a".repeat(10_000),
      -1,
      1e308,
      Number.MAX_SAFE_INTEGER + 2,
      true,
      null,
      [],
      {},
    ),
  );
  const edit = fc.tuple(
    fc.constantFrom(...paths),
    fc.oneof(hostile, fc.constant(undefined)),
    fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    const document = structuredClone(seed) as unknown;
    let root = document;
    for (const [path, shared, extraKey] of edits) {
      // A fresh copy each time: a constant object placed twice would make the document cyclic.
      const value = shared === undefined ? undefined : (structuredClone(shared) as unknown);
      if (path.length === 0) {
        root = value;
        continue;
      }
      let parent: unknown = root;
      for (const key of path.slice(0, -1)) {
        if (parent === null || typeof parent !== "object") break;
        parent = (parent as Record<string | number, unknown>)[key];
      }
      if (parent === null || typeof parent !== "object") continue;
      const last = path[path.length - 1] as string | number;
      const target = parent as Record<string | number, unknown>;
      if (value === undefined) delete target[last];
      else target[last] = value;
      if (extraKey !== undefined && !Array.isArray(parent)) target[extraKey] = structuredClone(value) ?? null;
    }
    return root;
  });
};
