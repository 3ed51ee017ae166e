import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { throwsCode } from "../../test/support/errors.ts";
import {
  certificatePemFromBase64,
  describeCertificate,
  fingerprintOf,
  parseCertificates,
  publicKeyFromCertificate,
} from "./certificate.ts";

// Certificates are made by OpenSSL, and what we read is compared with what OpenSSL reads.
const work = mkdtempSync(join(tmpdir(), "portico-cert-"));
const openssl = (...args: string[]): string =>
  execFileSync("openssl", args, { cwd: work, stdio: "pipe" }).toString();
const selfSigned = (name: string, subject: string, keyArgs: string[]): string => {
  openssl(
    "req",
    "-x509",
    ...keyArgs,
    "-subj",
    subject,
    "-days",
    "90",
    "-set_serial",
    "0x0A1B2C3D4E5F",
    "-nodes",
  );
  return readFileSync(join(work, `${name}.pem`), "utf8");
};
const keyFiles = (name: string): string[] => ["-keyout", `${name}.key`, "-out", `${name}.pem`];
const opensslField = (pem: string, flag: string): string => {
  const out = execFileSync("openssl", ["x509", "-noout", flag], { input: pem }).toString().trim();
  return out.slice(out.indexOf("=") + 1);
};

let rsaPem = "";
let ecPem = "";
before(() => {
  rsaPem = selfSigned("rsa", "/C=US/O=Acme, Inc./CN=idp.acme.test", [
    "-newkey",
    "rsa:2048",
    ...keyFiles("rsa"),
  ]);
  ecPem = selfSigned("ec", "/CN=ec.acme.test", [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    ...keyFiles("ec"),
  ]);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("describeCertificate", () => {
  it("reads an RSA certificate as OpenSSL does", () => {
    const notBefore = new Date(opensslField(rsaPem, "-startdate"));
    const description = describeCertificate(rsaPem, new Date(notBefore.getTime() + 1000));
    assert.equal(description.subjectDn, "CN=idp.acme.test, O=Acme\\, Inc., C=US");
    assert.equal(description.issuerDn, description.subjectDn);
    assert.equal(description.serialNumber, opensslField(rsaPem, "-serial"));
    assert.equal(description.serialNumber, "0A1B2C3D4E5F");
    assert.equal(description.sha1Thumbprint, opensslField(rsaPem, "-fingerprint").replace(/:/g, ""));
    assert.equal(
      description.sha256Thumbprint,
      execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha256"], { input: rsaPem })
        .toString()
        .trim()
        .split("=")[1]
        ?.replace(/:/g, ""),
    );
    assert.equal(description.notBefore, notBefore.toISOString());
    assert.equal(description.notAfter, new Date(opensslField(rsaPem, "-enddate")).toISOString());
    assert.equal(description.keyAlgorithm, "RSA");
    assert.equal(description.keySize, 2048);
    assert.equal(description.curve, undefined);
    assert.equal(description.signatureAlgorithm, "sha256WithRSAEncryption");
    assert.deepEqual(
      [description.isExpired, description.isNotYetValid, description.expiresWithin30Days],
      [false, false, false],
    );
  });

  it("gives the bare DER base64 that goes in <ds:X509Certificate>", () => {
    const { certificateBase64 } = describeCertificate(rsaPem, new Date());
    assert.match(certificateBase64, /^[A-Za-z0-9+/]+=*$/);
    const der = execFileSync("openssl", ["x509", "-outform", "DER"], { input: rsaPem });
    assert.deepEqual(Buffer.from(certificateBase64, "base64"), der);
    assert.equal(certificatePemFromBase64(certificateBase64), rsaPem.replace(/\r\n/g, "\n"));
  });

  it("reads an EC P-256 certificate", () => {
    const description = describeCertificate(ecPem, new Date());
    assert.equal(description.keyAlgorithm, "EC");
    assert.equal(description.keySize, 256);
    assert.equal(description.curve, "P-256");
    assert.equal(description.signatureAlgorithm, "ecdsa-with-SHA256");
    assert.equal(description.subjectDn, "CN=ec.acme.test");
  });

  it("flags expiry against the injected time", () => {
    const notBefore = new Date(describeCertificate(rsaPem, new Date()).notBefore).getTime();
    const notAfter = new Date(describeCertificate(rsaPem, new Date()).notAfter).getTime();
    const day = 24 * 60 * 60 * 1000;
    const at = (time: number) => {
      const d = describeCertificate(rsaPem, new Date(time));
      return [d.isNotYetValid, d.isExpired, d.expiresWithin30Days];
    };
    assert.deepEqual(at(notBefore - 1000), [true, false, false]);
    assert.deepEqual(at(notAfter - 31 * day), [false, false, false]);
    assert.deepEqual(at(notAfter - 29 * day), [false, false, true]);
    assert.deepEqual(at(notAfter), [false, false, true]);
    assert.deepEqual(at(notAfter + 1000), [false, true, false]);
  });

  it("accepts a bare base64 certificate, and takes the first of a chain", () => {
    const base64 = describeCertificate(ecPem, new Date()).certificateBase64;
    assert.equal(describeCertificate(base64, new Date()).subjectDn, "CN=ec.acme.test");
    assert.equal(describeCertificate(`${ecPem}\n${rsaPem}`, new Date()).subjectDn, "CN=ec.acme.test");
    assert.equal(parseCertificates(`${ecPem}\n${rsaPem}`).length, 2);
  });

  it("refuses what is not a certificate with CERT_INVALID", () => {
    const privateKey = readFileSync(join(work, "rsa.key"), "utf8");
    for (const text of [
      "",
      "not a certificate",
      "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----",
      "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----",
      privateKey,
      rsaPem.split("\n").slice(0, 4).join("\n").concat("\n-----END CERTIFICATE-----\n"), // truncated DER
    ]) {
      throwsCode(() => describeCertificate(text, new Date()), "CERT_INVALID");
    }
  });

  it("refuses a certificate whose key is neither RSA nor EC with KEY_UNSUPPORTED", () => {
    const edPem = selfSigned("ed", "/CN=ed", ["-newkey", "ed25519", ...keyFiles("ed")]);
    throwsCode(() => describeCertificate(edPem, new Date()), "KEY_UNSUPPORTED");
  });
});

describe("publicKeyFromCertificate and fingerprintOf", () => {
  it("gives the certificate's public key", () => {
    const fromOpenssl = createPublicKey(
      execFileSync("openssl", ["x509", "-noout", "-pubkey"], { input: rsaPem }),
    );
    assert.ok(publicKeyFromCertificate(rsaPem).equals(fromOpenssl));
  });

  it("hashes the DER, upper-case hex without separators", () => {
    assert.equal(fingerprintOf(ecPem, "sha1"), opensslField(ecPem, "-fingerprint").replace(/:/g, ""));
    assert.match(fingerprintOf(ecPem, "sha256"), /^[0-9A-F]{64}$/);
    throwsCode(() => fingerprintOf("junk", "sha1"), "CERT_INVALID");
  });
});
