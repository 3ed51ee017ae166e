import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
  X509Certificate,
} from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assertCode, rejectsWithCode, thrownAppError, throwsCode } from "../../test/support/errors.ts";
import { describeCertificate } from "./certificate.ts";
import { generateSigningKeyPair, importPemKeyPair, type KeyPairPem } from "./keys.ts";

const work = mkdtempSync(join(tmpdir(), "portico-keys-"));
after(() => rmSync(work, { recursive: true, force: true }));
const openssl = (args: string[], input?: string): string =>
  execFileSync("openssl", args, {
    cwd: work,
    stdio: "pipe",
    ...(input === undefined ? {} : { input }),
  }).toString();
const read = (name: string): string => readFileSync(join(work, name), "utf8");

const now = new Date("2025-03-01T12:34:56.789Z");
/** The key signs, and the certificate's key verifies: the pair really belongs together. */
const assertWorkingPair = (pair: KeyPairPem): void => {
  const data = Buffer.from("signed by the pair");
  const signature = sign("sha256", data, createPrivateKey(pair.privateKeyPem));
  assert.ok(verify("sha256", data, new X509Certificate(pair.certificatePem).publicKey, signature));
};

let rsa: KeyPairPem;
before(async () => {
  rsa = await generateSigningKeyPair({
    keyAlgorithm: "RSA",
    subjectDn: "CN=portico.example.com, O=Acme, C=US",
    validDays: 365,
    now,
    serialNumber: "00ABCDEF0123456789",
  });
});

describe("generateSigningKeyPair", () => {
  it("makes an RSA 2048 key (unencrypted PKCS#8) and a self-signed sha256WithRSA certificate", () => {
    assert.match(rsa.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assertWorkingPair(rsa);
    const certificate = new X509Certificate(rsa.certificatePem);
    assert.ok(certificate.verify(certificate.publicKey), "self-signed");
    const description = describeCertificate(rsa.certificatePem, now);
    assert.equal(description.subjectDn, "CN=portico.example.com, O=Acme, C=US");
    assert.equal(description.issuerDn, description.subjectDn);
    assert.equal(description.serialNumber, "ABCDEF0123456789");
    assert.equal(
      openssl(["x509", "-noout", "-serial"], rsa.certificatePem).trim(),
      "serial=ABCDEF0123456789",
    );
    assert.equal(description.notBefore, "2025-03-01T12:34:56.000Z");
    assert.equal(description.notAfter, "2026-03-01T12:34:56.000Z");
    assert.equal(description.keySize, 2048);
    assert.equal(description.signatureAlgorithm, "sha256WithRSAEncryption");
    assert.deepEqual(rsa.chainPems, []);
  });

  it("emits a certificate OpenSSL parses, with names in conventional order", () => {
    const text = openssl(["x509", "-noout", "-text", "-nameopt", "RFC2253"], rsa.certificatePem);
    assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
    assert.match(text, /Public-Key: \(2048 bit\)/);
    assert.match(text, /Subject: CN=portico.example.com,O=Acme,C=US/);
    assert.match(text, /CA:FALSE/);
    assert.match(text, /Digital Signature/);
    // OpenSSL's default form shows encoding order: country first, as X.500 names are built.
    assert.match(
      openssl(["x509", "-noout", "-subject"], rsa.certificatePem),
      /subject=C = US, O = Acme, CN = portico/,
    );
  });

  it("makes RSA 3072 keys", async () => {
    const pair = await generateSigningKeyPair({
      keyAlgorithm: "RSA",
      keySize: 3072,
      subjectDn: "CN=big",
      validDays: 30,
      now,
    });
    assert.equal(describeCertificate(pair.certificatePem, now).keySize, 3072);
    assertWorkingPair(pair);
  });

  it("makes EC P-256 keys with ecdsa-with-SHA256", async () => {
    const pair = await generateSigningKeyPair({ keyAlgorithm: "EC", subjectDn: "CN=ec", validDays: 30, now });
    const description = describeCertificate(pair.certificatePem, now);
    assert.deepEqual(
      [description.keyAlgorithm, description.curve, description.signatureAlgorithm],
      ["EC", "P-256", "ecdsa-with-SHA256"],
    );
    assert.match(
      openssl(["x509", "-noout", "-text"], pair.certificatePem),
      /Signature Algorithm: ecdsa-with-SHA256/,
    );
    assertWorkingPair(pair);
  });

  it("draws a random positive serial number when none is given", async () => {
    const options = { keyAlgorithm: "EC", subjectDn: "CN=s", validDays: 1, now } as const;
    const serials = await Promise.all(
      [1, 2].map(
        async () =>
          describeCertificate((await generateSigningKeyPair(options)).certificatePem, now).serialNumber,
      ),
    );
    assert.notEqual(serials[0], serials[1]);
    for (const serial of serials) assert.match(serial, /^[4-7][0-9A-F]{31}$/);
  });

  it("refuses other algorithms and sizes with KEY_UNSUPPORTED", async () => {
    const base = { subjectDn: "CN=x", validDays: 1, now };
    for (const options of [
      { keyAlgorithm: "RSA", keySize: 1024 },
      { keyAlgorithm: "RSA", keySize: 4096 },
      { keyAlgorithm: "EC", curve: "P-384" },
      { keyAlgorithm: "DSA" },
    ]) {
      await rejectsWithCode(generateSigningKeyPair({ ...base, ...options } as never), "KEY_UNSUPPORTED");
    }
  });

  it("refuses a bad subject DN, validity or serial number with REQ_VALIDATION", async () => {
    const base = { keyAlgorithm: "EC", subjectDn: "CN=x", validDays: 1, now } as const;
    for (const bad of [
      { subjectDn: "" },
      { subjectDn: "just words" },
      { validDays: 0 },
      { validDays: 1.5 },
      { validDays: 40000 },
      { serialNumber: "xyz" },
      { serialNumber: "00" },
      { serialNumber: "f".repeat(40) },
    ]) {
      await rejectsWithCode(generateSigningKeyPair({ ...base, ...bad }), "REQ_VALIDATION");
    }
  });
});

describe("importPemKeyPair", () => {
  const key = (): KeyObject => createPrivateKey(rsa.privateKeyPem);
  const sameKey = (pair: KeyPairPem) => assert.ok(createPrivateKey(pair.privateKeyPem).equals(key()));

  it("accepts PKCS#8, PKCS#1 and encrypted PKCS#8 and returns unencrypted PKCS#8", () => {
    const forms = [
      { privateKeyPem: rsa.privateKeyPem },
      { privateKeyPem: key().export({ type: "pkcs1", format: "pem" }).toString() },
      {
        privateKeyPem: key()
          .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw-123" })
          .toString(),
        password: "pw-123",
      },
      {
        privateKeyPem: key()
          .export({ type: "pkcs1", format: "pem", cipher: "aes-256-cbc", passphrase: "pw-123" })
          .toString(),
        password: "pw-123",
      },
    ];
    for (const form of forms) {
      const pair = importPemKeyPair({ ...form, certificatePem: rsa.certificatePem });
      assert.match(pair.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
      assert.equal(pair.certificatePem, rsa.certificatePem);
      sameKey(pair);
    }
  });

  it("accepts SEC1 EC keys on P-256 and P-384, as OpenSSL writes them", () => {
    for (const curve of ["P-256", "P-384"]) {
      openssl([
        "ecparam",
        "-name",
        curve === "P-256" ? "prime256v1" : "secp384r1",
        "-genkey",
        "-out",
        "ec.key",
      ]);
      openssl(["req", "-x509", "-key", "ec.key", "-subj", "/CN=ec", "-days", "1", "-out", "ec.pem"]);
      assert.match(read("ec.key"), /BEGIN EC PARAMETERS[\s\S]*BEGIN EC PRIVATE KEY/);
      const pair = importPemKeyPair({ privateKeyPem: read("ec.key"), certificatePem: read("ec.pem") });
      assert.equal(describeCertificate(pair.certificatePem, new Date()).curve, curve);
      assertWorkingPair(pair);
    }
  });

  it("refuses a certificate of another key with KEY_MISMATCH", async () => {
    const other = await generateSigningKeyPair({
      keyAlgorithm: "RSA",
      subjectDn: "CN=other",
      validDays: 1,
      now,
    });
    throwsCode(
      () => importPemKeyPair({ privateKeyPem: rsa.privateKeyPem, certificatePem: other.certificatePem }),
      "KEY_MISMATCH",
    );
  });

  it("refuses weak or other key types with KEY_UNSUPPORTED", () => {
    const keys = [
      generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey,
      generateKeyPairSync("dsa", { modulusLength: 1024, divisorLength: 160 }).privateKey,
      generateKeyPairSync("ec", { namedCurve: "secp521r1" }).privateKey,
      generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey,
      generateKeyPairSync("ed25519").privateKey,
    ];
    for (const privateKey of keys) {
      const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      throwsCode(
        () => importPemKeyPair({ privateKeyPem, certificatePem: rsa.certificatePem }),
        "KEY_UNSUPPORTED",
      );
    }
  });

  it("refuses unreadable PEM, and a wrong or missing password, with KEY_INVALID_PEM and no secret in the message", () => {
    const encrypted = key()
      .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "right-pw" })
      .toString();
    const cases = [
      { privateKeyPem: "garbage", certificatePem: rsa.certificatePem },
      { privateKeyPem: rsa.certificatePem, certificatePem: rsa.certificatePem },
      {
        privateKeyPem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        certificatePem: rsa.certificatePem,
      },
      { privateKeyPem: encrypted, certificatePem: rsa.certificatePem },
      { privateKeyPem: encrypted, certificatePem: rsa.certificatePem, password: "wrong-pw" },
      { privateKeyPem: rsa.privateKeyPem, certificatePem: "garbage" },
      { privateKeyPem: rsa.privateKeyPem, certificatePem: rsa.privateKeyPem },
    ];
    for (const options of cases) {
      const error = thrownAppError(() => importPemKeyPair(options));
      assertCode(error, "KEY_INVALID_PEM");
      assert.ok(!error.message.includes(options.password ?? "right-pw"), "the message holds the password");
    }
    assert.throws(
      () => importPemKeyPair({ privateKeyPem: encrypted, certificatePem: rsa.certificatePem }),
      /encrypted; give its password/,
    );
  });

  it("keeps a chain: leaf first, issuers after, whatever order they came in", () => {
    openssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-subj",
      "/CN=Test CA",
      "-days",
      "2",
    ]);
    openssl([
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "leaf.key",
      "-out",
      "leaf.csr",
      "-subj",
      "/CN=leaf",
    ]);
    openssl([
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-set_serial",
      "7",
      "-days",
      "1",
      "-out",
      "leaf.pem",
    ]);
    writeFileSync(join(work, "chain.pem"), read("ca.pem") + read("leaf.pem"));
    for (const certificatePem of [read("leaf.pem") + read("ca.pem"), read("chain.pem")]) {
      const pair = importPemKeyPair({ privateKeyPem: read("leaf.key"), certificatePem });
      assert.equal(describeCertificate(pair.certificatePem, new Date()).subjectDn, "CN=leaf");
      assert.deepEqual(
        pair.chainPems.map((pem) => describeCertificate(pem, new Date()).subjectDn),
        ["CN=Test CA"],
      );
    }
  });
});
