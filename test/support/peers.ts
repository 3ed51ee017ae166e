import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DOMParser } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";

const DSIG_NS = "http://www.w3.org/2000/09/xmldsig#";

/**
 * Independent verifiers of what Portico emits, driven as separate processes: libxmlsec's
 * `xmlsec1`, C++ OpenSAML's `samlsign`, OneLogin's python3-saml as a strict SP, and `xmllint` with
 * the OASIS schemas. None of them shares code with us (peers-libraries §C.2).
 *
 * A missing tool fails the test with the Debian package to install; it never skips
 * (scripts/test-prerequisites.sh installs them, from scripts/debian-packages.txt).
 */

/** Debian's system Python: the pyenv `python3` first on PATH cannot import Debian's xmlsec. */
export const systemPython = "/usr/bin/python3";

const tools = {
  xmlsec1: { path: "/usr/bin/xmlsec1", pkg: "xmlsec1" },
  samlsign: { path: "/usr/bin/samlsign", pkg: "opensaml-tools" },
  xmllint: { path: "/usr/bin/xmllint", pkg: "libxml2-utils" },
  python: { path: systemPython, pkg: "python3-onelogin-saml2 (with python3-xmlsec, python3-lxml)" },
  samlSchemas: { path: "/usr/share/xml/opensaml/saml-schema-protocol-2.0.xsd", pkg: "opensaml-schemas" },
  xmlSecuritySchemas: {
    path: "/usr/share/xml/xmltooling/xmldsig-core-schema.xsd",
    pkg: "xmltooling-schemas",
  },
  onelogin: {
    path: "/usr/lib/python3/dist-packages/onelogin/saml2/response.py",
    pkg: "python3-onelogin-saml2",
  },
  pysaml2: { path: "/usr/lib/python3/dist-packages/saml2/client.py", pkg: "python3-pysaml2" },
} as const;

/** Fails (never skips) when an independent checker is not installed. */
export const requireTool = (name: keyof typeof tools): string => {
  const tool = tools[name];
  if (!existsSync(tool.path)) {
    throw new Error(
      `The independent checker ${tool.path} is missing: install the Debian package ${tool.pkg} ` +
        "(bash scripts/test-prerequisites.sh installs every checker the tests need).",
    );
  }
  return tool.path;
};

export type RunResult = { readonly code: number; readonly stdout: string; readonly stderr: string };

/** Runs a program to completion, never through a shell; a non-zero exit is a result, not an error. */
export const run = (
  file: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
) =>
  new Promise<RunResult>((done, fail) => {
    const child = execFile(
      file,
      args,
      { env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          fail(error);
          return;
        }
        done({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });

/** A temp directory for one check, removed afterwards. */
export const withTempDir = async <T>(work: (dir: string) => Promise<T>): Promise<T> => {
  const dir = await mkdtemp(join(tmpdir(), "portico-peers-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

const idAttributes = [
  "urn:oasis:names:tc:SAML:2.0:protocol:Response",
  "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
  "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor",
].flatMap((element) => ["--id-attr:ID", element]);

/** Which signature of the document to check. */
export type SignatureOf = "Response" | "Assertion" | "EntityDescriptor";

export type XmlsecResult = {
  readonly ok: boolean;
  /** The Reference URIs xmlsec1 resolved and found valid, e.g. `#_a1`. */
  readonly referenceUris: readonly string[];
  /** The ID of the element xmlsec1 digested for each valid reference (from its pre-digest data). */
  readonly digestedIds: readonly string[];
  readonly output: string;
};

/**
 * `xmlsec1 --verify` with only the pinned certificate (never a key from KeyInfo), on the signature that is a direct child of
 * `signatureOf`. xmlsec1 only proves that some referenced node is validly signed
 * (peers-libraries §C.2), so it also reports what it digested, for the test to compare with the
 * element it meant.
 */
export const xmlsecVerify = (
  xml: string,
  certificatePem: string,
  signatureOf: SignatureOf,
): Promise<XmlsecResult> =>
  withTempDir(async (dir) => {
    const xmlsec1 = requireTool("xmlsec1");
    const cert = join(dir, "idp.crt");
    const file = join(dir, "message.xml");
    await writeFile(cert, certificatePem);
    await writeFile(file, xml);
    const result = await run(xmlsec1, [
      "--verify",
      // By default xmlsec1 takes the key from a KeyValue in the message itself, whatever
      // certificate it was given; reading only KeyName makes it use the pinned one alone.
      "--enabled-key-data",
      "key-name",
      "--pubkey-cert-pem",
      cert,
      ...idAttributes,
      "--node-xpath",
      `/descendant-or-self::*[local-name()='${signatureOf}']/*[local-name()='Signature' and namespace-uri()='http://www.w3.org/2000/09/xmldsig#']`,
      "--store-references",
      "--print-xml-debug",
      file,
    ]);
    const verified =
      /<SignedInfoReferences>([\s\S]*?)<\/SignedInfoReferences>/.exec(result.stdout)?.[1] ?? "";
    const contexts = verified.split("<ReferenceVerificationContext ").slice(1);
    const succeeded = contexts.filter((context) => context.startsWith('status="succeeded"'));
    return {
      ok: result.code === 0,
      referenceUris: succeeded.map((context) => /<URI>([^<]*)<\/URI>/.exec(context)?.[1] ?? ""),
      digestedIds: succeeded.map(
        (context) => /<PreDigestData><[^>]*?\sID="([^"]*)"/.exec(context)?.[1] ?? "",
      ),
      output: `${result.stderr}\n${result.stdout.slice(0, 2000)}`,
    };
  });

/** `samlsign` (C++ OpenSAML) verifying the signature of the object with ID `id`. Paths must be absolute. */
export const samlsignVerify = (
  xml: string,
  certificatePem: string,
  id: string,
): Promise<RunResult & { ok: boolean }> =>
  withTempDir(async (dir) => {
    const samlsign = requireTool("samlsign");
    const cert = resolve(dir, "idp.crt");
    const file = resolve(dir, "message.xml");
    await writeFile(cert, certificatePem);
    await writeFile(file, xml);
    const result = await run(samlsign, ["-c", cert, "-f", file, "-id", id]);
    return { ...result, ok: result.code === 0 };
  });

export type OneLoginCase = {
  readonly samlResponse: string;
  readonly requestId: string | null;
  readonly idpEntityId: string;
  readonly idpCertPem: string;
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly wantAssertionsSigned: boolean;
  readonly wantMessagesSigned: boolean;
  readonly wantAttributeStatement: boolean;
  readonly wantAssertionsEncrypted?: boolean;
  readonly rejectDeprecatedAlgorithm: boolean;
  readonly spCertPem?: string;
  readonly spPrivateKeyPem?: string;
};

export type OneLoginResult = {
  readonly valid: boolean;
  readonly error: string | null;
  readonly nameId: string | null;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
};

const oneloginScript = new URL("../peers/onelogin_sp.py", import.meta.url).pathname;

/** OneLogin's python3-saml, strict, as the SP receiving the Response at its ACS URL. */
export const oneloginAcs = async (input: OneLoginCase): Promise<OneLoginResult> => {
  const python = requireTool("python");
  requireTool("onelogin");
  const result = await run(python, [oneloginScript], { input: JSON.stringify(input) });
  if (result.code !== 0) throw new Error(`onelogin_sp.py failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as OneLoginResult;
};

const schemas = {
  protocol: "/usr/share/xml/opensaml/saml-schema-protocol-2.0.xsd",
  assertion: "/usr/share/xml/opensaml/saml-schema-assertion-2.0.xsd",
  metadata: "/usr/share/xml/opensaml/saml-schema-metadata-2.0.xsd",
} as const;

// The SAML schemas import XML-DSig, XML-Enc and xml.xsd by their w3.org URLs; map those to
// xmltooling-schemas' copies so xmllint never touches the network (--nonet).
const catalog = (): string => {
  const entries = [
    [
      "http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd",
      "/usr/share/xml/xmltooling/xmldsig-core-schema.xsd",
    ],
    [
      "http://www.w3.org/TR/2002/REC-xmlenc-core-20021210/xenc-schema.xsd",
      "/usr/share/xml/xmltooling/xenc-schema.xsd",
    ],
    ["http://www.w3.org/2001/xml.xsd", "/usr/share/xml/xmltooling/xml.xsd"],
  ];
  const lines = entries.flatMap(([from, to]) => [
    `  <system systemId="${from}" uri="file://${to}"/>`,
    `  <uri name="${from}" uri="file://${to}"/>`,
  ]);
  return `<?xml version="1.0"?>\n<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">\n${lines.join("\n")}\n</catalog>\n`;
};

/**
 * One schema document for xmllint, which takes only one: the SAML schema asked for, plus XML-Enc
 * 1.1 and XML-DSig 1.1. The SAML schemas leave room for those (e.g. `xenc11:MGF` inside an
 * EncryptionMethod, under a strict wildcard; `dsig11:ECKeyValue` inside KeyValue), but do not
 * import them.
 */
const wrapperSchema = (schema: string): string => `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:portico:test:schemas">
  <xs:import namespace="${schemaNamespaces[schema as keyof typeof schemas]}" schemaLocation="file://${schemas[schema as keyof typeof schemas]}"/>
  <xs:import namespace="http://www.w3.org/2009/xmlenc11#" schemaLocation="file:///usr/share/xml/xmltooling/xenc11-schema.xsd"/>
  <xs:import namespace="http://www.w3.org/2009/xmldsig11#" schemaLocation="file:///usr/share/xml/xmltooling/xmldsig11-schema.xsd"/>
</xs:schema>
`;

const schemaNamespaces = {
  protocol: "urn:oasis:names:tc:SAML:2.0:protocol",
  assertion: "urn:oasis:names:tc:SAML:2.0:assertion",
  metadata: "urn:oasis:names:tc:SAML:2.0:metadata",
} as const;

/** `xmllint --schema` against one of the OASIS SAML 2.0 schemas (opensaml-schemas), offline. */
export const xsdValidate = (
  xml: string,
  schema: keyof typeof schemas,
): Promise<RunResult & { ok: boolean }> =>
  withTempDir(async (dir) => {
    const xmllint = requireTool("xmllint");
    requireTool("samlSchemas");
    requireTool("xmlSecuritySchemas");
    const catalogFile = join(dir, "catalog.xml");
    const schemaFile = join(dir, "schema.xsd");
    const file = join(dir, "message.xml");
    await writeFile(catalogFile, catalog());
    await writeFile(schemaFile, wrapperSchema(schema));
    await writeFile(file, xml);
    const result = await run(xmllint, ["--nonet", "--noout", "--schema", schemaFile, file], {
      env: { ...process.env, XML_CATALOG_FILES: catalogFile },
    });
    return { ...result, ok: result.code === 0 && /validates$/m.test(result.stderr) };
  });

/**
 * In-process check with xml-crypto's verifier (not independent of our canonicalizer, so only a
 * quick first check beside the unit tests): the signature that is a direct child of the element
 * with ID `id` verifies with `certificatePem`, and what it covers is that element. Returns the
 * canonical XML it covered.
 */
export const xmlCryptoVerify = (xml: string, certificatePem: string, id: string): string => {
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  const signature = [...Array.from(doc.getElementsByTagNameNS(DSIG_NS, "Signature"))].find(
    (node) => (node.parentNode as Element | null)?.getAttribute("ID") === id,
  );
  if (signature === undefined) throw new Error(`no signature on the element with ID ${id}`);
  const verifier = new SignedXml({ publicCert: certificatePem, getCertFromKeyInfo: () => null });
  verifier.loadSignature(signature);
  if (!verifier.checkSignature(xml)) throw new Error(`the signature on ${id} does not verify`);
  const references = verifier.getReferences();
  if (references.length !== 1 || references[0]?.uri !== `#${id}`) {
    throw new Error(`the signature on ${id} does not reference exactly #${id}`);
  }
  const [signed] = verifier.getSignedReferences();
  if (signed === undefined) throw new Error("xml-crypto returned no signed reference");
  return signed;
};

export type OneLoginIdpView = {
  readonly entityId: string | null;
  readonly sso: string | null;
  readonly slo: string | null;
  readonly nameIdFormat: string | null;
  readonly signingCertificates: readonly string[];
};

const oneloginMetadataScript = new URL("../peers/onelogin_idp_metadata.py", import.meta.url).pathname;

/** What OneLogin's IdP metadata parser reads from `xml`, per binding. */
export const oneloginReadIdpMetadata = async (
  xml: string,
): Promise<{ readonly redirect: OneLoginIdpView; readonly post: OneLoginIdpView }> => {
  const python = requireTool("python");
  requireTool("onelogin");
  const result = await run(python, [oneloginMetadataScript], { input: xml });
  if (result.code !== 0)
    throw new Error(`onelogin_idp_metadata.py failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout);
};
