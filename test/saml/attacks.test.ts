/**
 * The SAML request corpus (STYLE.md "Tests" 2): every attack fixture in
 * test/fixtures/saml/attacks/ must raise exactly the one error code its manifest names, and
 * every request in test/fixtures/saml/valid/requests/ must pass, when fed through the pure pipeline an
 * endpoint runs (decode → peek Issuer → verify with the pinned Salesforce certificate → parse the
 * verified bytes → validate → replay check) at the manifest's fixed clock.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { inflateRawSync } from "node:zlib";
import { isErrorCode } from "../../src/lib/errors.ts";
import { parseSpMetadata } from "../../src/saml/metadata/parse-sp-metadata.ts";
import {
  type AttackCase,
  buildCorpus,
  type CorpusCase,
  corpusRoot,
  VALID,
  type ValidCase,
} from "../fixtures/saml/attacks/generate.ts";
import { assertAppError, throwsCode } from "../support/errors.ts";
import {
  type PipelineConnection,
  type PipelineInput,
  type PipelineResult,
  type PipelineSetup,
  receiveMessage,
} from "../support/saml-pipeline.ts";

type Manifest<C> = {
  readonly now: string;
  readonly skewMs: number;
  readonly limits: { readonly maxEncodedBytes: number; readonly maxXmlBytes: number };
  readonly connection: {
    readonly entityId: string;
    readonly metadata: string;
    readonly certificates: readonly string[];
    readonly requireSignature: boolean;
    readonly allowSha1: boolean;
    readonly supportedNameIdFormats: readonly string[];
  };
  readonly ssoUrls: readonly string[];
  readonly sloUrls: readonly string[];
  readonly pendingLogoutRequestId: string;
  readonly cases: readonly C[];
};

const folder = (name: "attacks" | "valid") => join(corpusRoot, name === "attacks" ? "attacks" : VALID);
const readManifest = <C>(name: "attacks" | "valid"): Manifest<C> =>
  JSON.parse(readFileSync(join(folder(name), "manifest.json"), "utf8")) as Manifest<C>;

const attacks = readManifest<AttackCase>("attacks");
const valid = readManifest<ValidCase>("valid");

const connectionFor = (
  manifest: Manifest<unknown>,
  name: "attacks" | "valid",
  testCase: CorpusCase,
): PipelineConnection => {
  const base = manifest.connection;
  const metadata = parseSpMetadata(readFileSync(join(folder(name), base.metadata)));
  return {
    entityId: base.entityId,
    certificatesPem: base.certificates.map((path) => readFileSync(join(folder(name), path), "utf8")),
    requireSignature: testCase.connection?.requireSignature ?? base.requireSignature,
    allowSha1: testCase.connection?.allowSha1 ?? base.allowSha1,
    acsEndpoints: metadata.assertionConsumerServices,
    supportedNameIdFormats: base.supportedNameIdFormats,
  };
};

const setupFor = (
  manifest: Manifest<unknown>,
  name: "attacks" | "valid",
  testCase: CorpusCase,
): PipelineSetup => ({
  now: new Date(manifest.now),
  skewMs: manifest.skewMs,
  limits: manifest.limits,
  connections: [connectionFor(manifest, name, testCase)],
  ssoUrls: manifest.ssoUrls,
  sloUrls: manifest.sloUrls,
  seen: new Set(),
  pendingLogoutRequestId: manifest.pendingLogoutRequestId,
});

const inputFor = (
  feed: CorpusCase["feed"],
  endpoint: CorpusCase["endpoint"],
  content: string,
  messageType = "SAMLRequest",
): PipelineInput => {
  if (feed === "redirect") return { endpoint, binding: "redirect", query: content };
  if (feed === "post")
    return {
      endpoint,
      binding: "post",
      fields: { [messageType]: Buffer.from(content, "utf8").toString("base64") },
    };
  return { endpoint, binding: "post", fields: JSON.parse(content) as Record<string, string | string[]> };
};

const contentOf = (name: "attacks" | "valid", testCase: CorpusCase): string =>
  readFileSync(join(folder(name), testCase.file), "utf8");

/** The pipeline, with a "refuse" decision turned into its error, as the endpoint's outcome. */
const outcome = (input: PipelineInput, setup: PipelineSetup): PipelineResult => {
  const result = receiveMessage(input, setup);
  if (result.kind === "AuthnRequest" && result.decision.outcome === "refuse") throw result.decision.error;
  return result;
};

describe("SAML attack corpus", () => {
  for (const testCase of attacks.cases) {
    it(`${testCase.file} → ${testCase.expect}: ${testCase.why}`, () => {
      const setup = setupFor(attacks, "attacks", testCase);
      const input = inputFor(
        testCase.feed,
        testCase.endpoint,
        contentOf("attacks", testCase),
        testCase.messageType,
      );
      if (testCase.replay === true) outcome(input, setup);
      const expected = testCase.expect;
      assert.ok(isErrorCode(expected), `${expected} is not in the error registry`);
      throwsCode(() => outcome(input, setup), expected);
    });
  }

  it("covers every class of peers-libraries §C.4 with the code it must raise", () => {
    const codes = new Set(attacks.cases.map((testCase) => testCase.expect));
    for (const code of [
      "SAML_SIGNATURE_REQUIRED",
      "SAML_SIGNATURE_WRAPPING",
      "SAML_SIGNATURE_INVALID",
      "SAML_DUPLICATE_ID",
      "XML_MALFORMED",
      "XML_MULTIPLE_ROOTS",
      "XML_DOCTYPE_FORBIDDEN",
      "XML_TOO_LARGE",
      "SAML_ALGORITHM_NOT_ALLOWED",
      "SAML_BINDING_INVALID",
      "SAML_REPLAY",
      "SAML_REQUEST_EXPIRED",
      "SAML_ACS_UNKNOWN",
      "SAML_DESTINATION_MISMATCH",
      "SAML_NAMEID_POLICY_UNSUPPORTED",
    ]) {
      assert.ok(codes.has(code), `no fixture raises ${code}`);
    }
    const xsw = attacks.cases.filter((testCase) => /xsw\/(authn|logout)-xsw[1-8]\./.test(testCase.file));
    assert.equal(xsw.length, 16, "XSW1–8 on both AuthnRequest and LogoutRequest");
  });

  it("nothing crashes: every fixture, fed every way to either endpoint, yields a result or an AppError", () => {
    for (const testCase of attacks.cases) {
      const content = contentOf("attacks", testCase);
      // The file as a query string and as a posted message; JSON files also as the form itself.
      const feeds =
        testCase.feed === "post-fields"
          ? (["redirect", "post", "post-fields"] as const)
          : (["redirect", "post"] as const);
      for (const feed of feeds) {
        for (const endpoint of ["sso", "slo"] as const) {
          for (const messageType of ["SAMLRequest", "SAMLResponse"]) {
            try {
              outcome(inputFor(feed, endpoint, content, messageType), setupFor(attacks, "attacks", testCase));
            } catch (error) {
              assertAppError(error, `${testCase.file} as ${feed}/${messageType} to ${endpoint}`);
            }
          }
        }
      }
    }
  });
});

describe("SAML requests that must be accepted", () => {
  for (const testCase of valid.cases) {
    it(`${testCase.file}: ${testCase.why}`, () => {
      const setup = setupFor(valid, "valid", testCase);
      const result = outcome(
        inputFor(testCase.feed, testCase.endpoint, contentOf("valid", testCase), testCase.messageType),
        setup,
      );
      const expected = testCase.expect;
      assert.equal(result.kind, expected.kind);
      assert.equal(result.isSigned, expected.isSigned);
      if (result.kind === "AuthnRequest") {
        assert.ok(result.decision.outcome === "accept");
        if (expected.acsIndex !== undefined) assert.equal(result.decision.acs.index, expected.acsIndex);
        if (expected.idLength !== undefined) assert.equal(result.id.length, expected.idLength);
        assert.equal(result.relayState, expected.relayState);
      }
      if (result.kind === "LogoutRequest") assert.equal(result.nameId, expected.nameId);
      assert.equal(setup.seen.size, 1, "the ID went into the replay cache");
    });
  }
});

describe("SAML corpus files", () => {
  /** A Redirect query by parameter, with the message inflated: zlib output may differ by CPU. */
  const meaningOf = (query: string) =>
    query.split("&").map((part) => {
      const [name = "", value = ""] = part.split(/=(.*)/s);
      if (name === "Signature") return [name, "(depends on the DEFLATE bytes)"];
      if (name === "SAMLRequest" || name === "SAMLResponse") {
        try {
          return [name, inflateRawSync(Buffer.from(decodeURIComponent(value), "base64")).toString("utf8")];
        } catch {
          return [name, value];
        }
      }
      return [name, value];
    });

  it("are what generate.ts writes (run it after changing it)", () => {
    const generated = buildCorpus();
    for (const [path, content] of generated) {
      const onDisk = readFileSync(join(corpusRoot, path), "utf8");
      if (path.endsWith(".query")) assert.deepEqual(meaningOf(onDisk), meaningOf(content), path);
      else assert.equal(onDisk, content, path);
    }
    const listed = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? listed(path) : [relative(corpusRoot, path)];
      });
    const extra = [...listed(join(corpusRoot, "attacks")), ...listed(join(corpusRoot, VALID))].filter(
      (path) => !generated.has(path) && !path.endsWith("README.md") && !/^attacks\/[a-z-]+\.ts$/.test(path),
    );
    assert.deepEqual(extra, [], "files no manifest lists");
  });
});
