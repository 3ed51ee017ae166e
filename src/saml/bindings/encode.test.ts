import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { inflateRawSync } from "node:zlib";
import { throwsCode } from "../../../test/support/errors.ts";
import { run, withTempDir } from "../../../test/support/peers.ts";
import { salesforceSp } from "../../../test/support/saml-requests.ts";
import { verifyAlgorithms } from "../signing/verify-algorithms.ts";
import { signatureAlgorithm } from "../urn.ts";
import { encodePostFields, encodeRedirectQuery, signRedirectQuery } from "./encode.ts";
import { decodePost } from "./post.ts";
import { decodeRedirect, verifyRedirectSignature } from "./redirect.ts";

const XML = '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_l" Version="2.0"/>';

/** `openssl dgst -verify`: an independent check of a query signature. */
const opensslVerifies = (
  certPem: string,
  hash: string,
  octets: string,
  signature: Buffer,
): Promise<boolean> =>
  withTempDir(async (dir) => {
    await writeFile(join(dir, "cert.pem"), certPem);
    const key = await run("openssl", ["x509", "-in", join(dir, "cert.pem"), "-pubkey", "-noout"]);
    await writeFile(join(dir, "pub.pem"), key.stdout);
    await writeFile(join(dir, "data"), octets);
    await writeFile(join(dir, "sig"), signature);
    const result = await run("openssl", [
      "dgst",
      `-${hash}`,
      "-verify",
      join(dir, "pub.pem"),
      "-signature",
      join(dir, "sig"),
      join(dir, "data"),
    ]);
    return result.code === 0 && /Verified OK/.test(result.stdout);
  });

const split = (query: string) => {
  const at = query.lastIndexOf("&Signature=");
  return {
    octets: query.slice(0, at),
    signature: Buffer.from(decodeURIComponent(query.slice(at + "&Signature=".length)), "base64"),
  };
};

describe("encodeRedirectQuery", () => {
  it("deflates, base64-encodes and percent-encodes, in the binding's parameter order", () => {
    const query = encodeRedirectQuery({ messageType: "SAMLRequest", xml: XML, relayState: "a b&c" });
    const [request, relay] = query.split("&");
    assert.match(request ?? "", /^SAMLRequest=[A-Za-z0-9%]+$/);
    assert.equal(relay, "RelayState=a%20b%26c");
    const value = decodeURIComponent((request ?? "").slice("SAMLRequest=".length));
    assert.equal(inflateRawSync(Buffer.from(value, "base64")).toString("utf8"), XML);
  });
});

describe("signRedirectQuery", () => {
  it("signs the octets before &Signature so that openssl and our verifier both accept them", async () => {
    const query = signRedirectQuery({
      messageType: "SAMLRequest",
      xml: XML,
      relayState: "/home",
      privateKeyPem: salesforceSp.privateKeyPem,
      algorithmUri: signatureAlgorithm.rsaSha256,
    });
    const { octets, signature } = split(query);
    assert.ok(octets.endsWith(`&SigAlg=${encodeURIComponent(signatureAlgorithm.rsaSha256)}`));
    assert.ok(await opensslVerifies(salesforceSp.certificatePem, "sha256", octets, signature));
    const decoded = decodeRedirect(query);
    assert.equal(decoded.xml, XML);
    assert.equal(decoded.relayState, "/home");
    verifyRedirectSignature(decoded, [salesforceSp.certificatePem], verifyAlgorithms({ allowSha1: false }));
  });

  it("is deterministic for RSA (golden-friendly)", () => {
    const options = {
      messageType: "SAMLResponse",
      xml: XML,
      privateKeyPem: salesforceSp.privateKeyPem,
      algorithmUri: signatureAlgorithm.rsaSha512,
    } as const;
    assert.equal(signRedirectQuery(options), signRedirectQuery(options));
  });

  it("writes ECDSA signatures as DER, which openssl verifies", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const certificate = await withTempDir(async (dir) => {
      await writeFile(join(dir, "key.pem"), privateKey.export({ type: "pkcs8", format: "pem" }));
      const result = await run("openssl", [
        "req",
        "-x509",
        "-key",
        join(dir, "key.pem"),
        "-subj",
        "/CN=idp",
        "-days",
        "1",
      ]);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout;
    });
    const query = signRedirectQuery({
      messageType: "SAMLRequest",
      xml: XML,
      privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      algorithmUri: signatureAlgorithm.ecdsaSha256,
    });
    const { octets, signature } = split(query);
    assert.equal(signature[0], 0x30);
    assert.ok(await opensslVerifies(certificate, "sha256", octets, signature));
  });

  it("refuses HMAC or unknown algorithms, and a key of the wrong type", () => {
    const base = { messageType: "SAMLRequest", xml: XML, privateKeyPem: salesforceSp.privateKeyPem } as const;
    throwsCode(
      () => signRedirectQuery({ ...base, algorithmUri: "http://www.w3.org/2000/09/xmldsig#hmac-sha1" }),
      "SAML_ALGORITHM_NOT_ALLOWED",
    );
    throwsCode(
      () => signRedirectQuery({ ...base, algorithmUri: signatureAlgorithm.ecdsaSha256 }),
      "SAML_SIGNING_FAILED",
    );
  });
});

describe("encodePostFields", () => {
  it("round-trips through decodePost", () => {
    const fields = encodePostFields({ messageType: "SAMLResponse", xml: XML, relayState: "rs" });
    assert.deepEqual(decodePost(fields), {
      binding: "post",
      messageType: "SAMLResponse",
      xml: XML,
      relayState: "rs",
    });
  });
});
