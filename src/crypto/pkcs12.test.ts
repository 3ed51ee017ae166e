import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { assertCode, rejectedAppError, rejectsWithCode } from "../../test/support/errors.ts";
import { describeCertificate } from "./certificate.ts";
import { importPkcs12 } from "./keys.ts";

// PKCS#12 files are written by OpenSSL 3, as an admin would make them.
const work = mkdtempSync(join(tmpdir(), "portico-p12-"));
after(() => rmSync(work, { recursive: true, force: true }));
const openssl = (...args: string[]): void => {
  execFileSync("openssl", args, { cwd: work, stdio: "pipe" });
};
const read = (name: string): Buffer => readFileSync(join(work, name));
const exportP12 = (name: string, password: string, ...extra: string[]): Buffer => {
  openssl(
    "pkcs12",
    "-export",
    "-in",
    "leaf.pem",
    "-inkey",
    "leaf.key",
    "-out",
    name,
    "-passout",
    `pass:${password}`,
    ...extra,
  );
  return read(name);
};
const fixture = fileURLToPath(new URL("../../test/fixtures/keys/legacy-rc2-3des.p12", import.meta.url));

before(() => {
  openssl(
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
    "/CN=P12 CA",
    "-days",
    "2",
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "leaf.key",
    "-out",
    "leaf.csr",
    "-subj",
    "/CN=p12 leaf/O=Acme",
  );
  openssl(
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-set_serial",
    "42",
    "-days",
    "1",
    "-out",
    "leaf.pem",
  );
});

/** The import gave back exactly the key and certificate that went in. */
const assertSamePair = (
  pair: { privateKeyPem: string; certificatePem: string },
  keyFile: string,
  certFile: string,
) => {
  assert.match(pair.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.ok(createPrivateKey(pair.privateKeyPem).equals(createPrivateKey(read(keyFile))));
  assert.ok(new X509Certificate(pair.certificatePem).raw.equals(new X509Certificate(read(certFile)).raw));
};

describe("importPkcs12", () => {
  it("reads OpenSSL 3's default export (PBES2, PBKDF2-SHA256, AES-256-CBC, HMAC-SHA256)", async () => {
    const pair = await importPkcs12({ pkcs12: exportP12("modern.p12", "s3cret!"), password: "s3cret!" });
    assertSamePair(pair, "leaf.key", "leaf.pem");
    assert.deepEqual(pair.chainPems, []);
  });

  it("keeps the chain that came with the key", async () => {
    const pkcs12 = exportP12("chain.p12", "pw", "-certfile", "ca.pem");
    const pair = await importPkcs12({ pkcs12, password: "pw" });
    assertSamePair(pair, "leaf.key", "leaf.pem");
    assert.deepEqual(
      pair.chainPems.map((pem) => describeCertificate(pem, new Date()).subjectDn),
      ["CN=P12 CA"],
    );
  });

  it("reads EC P-256 keys", async () => {
    openssl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "ec.key",
      "-out",
      "ec.pem",
      "-subj",
      "/CN=ec",
      "-days",
      "1",
    );
    openssl(
      "pkcs12",
      "-export",
      "-in",
      "ec.pem",
      "-inkey",
      "ec.key",
      "-out",
      "ec.p12",
      "-passout",
      "pass:pw",
    );
    assertSamePair(await importPkcs12({ pkcs12: read("ec.p12"), password: "pw" }), "ec.key", "ec.pem");
  });

  it("reads -legacy exports (RC2-40 certificates, 3DES key, HMAC-SHA1 MAC), and 3DES certificates", async () => {
    assertSamePair(
      await importPkcs12({ pkcs12: exportP12("legacy.p12", "pw", "-legacy"), password: "pw" }),
      "leaf.key",
      "leaf.pem",
    );
    const descert = exportP12("descert.p12", "pw", "-legacy", "-descert");
    assertSamePair(await importPkcs12({ pkcs12: descert, password: "pw" }), "leaf.key", "leaf.pem");
  });

  it("reads the static legacy fixture (independent of OpenSSL's legacy provider)", async () => {
    const pair = await importPkcs12({ pkcs12: readFileSync(fixture), password: "legacy-fixture" });
    const description = describeCertificate(pair.certificatePem, new Date("2030-01-01T00:00:00Z"));
    // Made with -subj "/CN=…/O=…", so encoded CN first; RFC 4514 reads from the last RDN.
    assert.equal(description.subjectDn, "O=Portico tests, CN=Portico legacy PKCS#12 fixture");
    assert.equal(description.serialNumber, "1234ABCD");
    assert.equal(
      description.sha256Thumbprint,
      "46A9758F5D57FDEC7726421A3B9ABD106A242B0F0DABAFF6D2B8E2DB43324C3B",
    );
    assert.equal(createPrivateKey(pair.privateKeyPem).asymmetricKeyDetails?.modulusLength, 2048);
  });

  it("reads the iteration counts Java's keytool writes: 10,000 now, 50,000 and a 100,000 MAC before JDK 12", async () => {
    // keytool itself is not a test dependency; OpenSSL writes the same structures with its counts.
    const java = exportP12("java.p12", "pw", "-iter", "10000");
    assertSamePair(await importPkcs12({ pkcs12: java, password: "pw" }), "leaf.key", "leaf.pem");
    const javaLegacy = exportP12("java-legacy.p12", "pw", "-legacy", "-iter", "100000");
    assertSamePair(await importPkcs12({ pkcs12: javaLegacy, password: "pw" }), "leaf.key", "leaf.pem");
  });

  it("checks SHA-384 and SHA-512 MACs too", async () => {
    for (const digest of ["sha384", "sha512"]) {
      const pkcs12 = exportP12(`${digest}.p12`, "pw", "-macalg", digest);
      assertSamePair(await importPkcs12({ pkcs12, password: "pw" }), "leaf.key", "leaf.pem");
      await rejectsWithCode(
        importPkcs12({ pkcs12, password: "not-pw" }),
        "KEY_PKCS12_INVALID",
        /password is wrong/,
      );
    }
  });

  it("refuses more than 600,000 iterations in one derivation, naming the count and the limit", async () => {
    const cases: [string[], RegExp][] = [
      [["-iter", "600001"], /600001 key-derivation iterations \(the integrity MAC\).*at most 600000/],
      [
        ["-iter", "600001", "-nomaciter"],
        /600001 key-derivation iterations \(the encrypted certificates\).*at most 600000/,
      ],
      [
        ["-legacy", "-iter", "600001", "-nomaciter"],
        /600001 key-derivation iterations \(the encrypted certificates\).*at most 600000/,
      ],
    ];
    for (const [extra, message] of cases) {
      const pkcs12 = exportP12("costly.p12", "pw", ...extra);
      await rejectsWithCode(importPkcs12({ pkcs12, password: "pw" }), "KEY_PKCS12_INVALID", message);
    }
  });

  it("reads non-ASCII passwords, modern and legacy", async () => {
    const password = "pässwörd-Ω";
    for (const extra of [[], ["-legacy"]]) {
      const pair = await importPkcs12({ pkcs12: exportP12("utf8.p12", password, ...extra), password });
      assertSamePair(pair, "leaf.key", "leaf.pem");
    }
  });

  it("reads unencrypted key and certificate bags", async () => {
    const pkcs12 = exportP12("plain.p12", "pw", "-keypbe", "NONE", "-certpbe", "NONE");
    assertSamePair(await importPkcs12({ pkcs12, password: "pw" }), "leaf.key", "leaf.pem");
  });

  it("refuses a wrong password (MAC check) without echoing either password", async () => {
    for (const extra of [[], ["-legacy"]]) {
      const pkcs12 = exportP12("wrong.p12", "right-password", ...extra);
      const error = await rejectedAppError(importPkcs12({ pkcs12, password: "wrong-password" }));
      assertCode(error, "KEY_PKCS12_INVALID", /password is wrong/);
      assert.doesNotMatch(error.message, /right-password|wrong-password/);
    }
    await rejectsWithCode(
      importPkcs12({ pkcs12: readFileSync(fixture), password: "" }),
      "KEY_PKCS12_INVALID",
    );
  });

  it("refuses a tampered file", async () => {
    const pkcs12 = Buffer.from(exportP12("tampered.p12", "pw"));
    // Flip a byte in the middle, inside the MAC-protected content.
    const middle = Math.floor(pkcs12.length / 2);
    pkcs12[middle] = (pkcs12[middle] ?? 0) ^ 0x01;
    await rejectsWithCode(importPkcs12({ pkcs12, password: "pw" }), "KEY_PKCS12_INVALID");
  });

  it("refuses a file without a MAC", async () => {
    await rejectsWithCode(
      importPkcs12({ pkcs12: exportP12("nomac.p12", "pw", "-nomac"), password: "pw" }),
      "KEY_PKCS12_INVALID",
      /no integrity MAC/,
    );
  });

  it("refuses RC4-encrypted files and says to re-export without -legacy", async () => {
    const pkcs12 = exportP12(
      "rc4.p12",
      "pw",
      "-legacy",
      "-keypbe",
      "PBE-SHA1-RC4-128",
      "-certpbe",
      "PBE-SHA1-RC4-128",
    );
    await rejectsWithCode(
      importPkcs12({ pkcs12, password: "pw" }),
      "KEY_PKCS12_INVALID",
      /re-export without -legacy/,
    );
  });

  it("refuses a file with no private key", async () => {
    await rejectsWithCode(
      importPkcs12({ pkcs12: exportP12("nokeys.p12", "pw", "-nokeys"), password: "pw" }),
      "KEY_PKCS12_INVALID",
      /no private key/,
    );
  });

  it("refuses weak keys with KEY_UNSUPPORTED", async () => {
    openssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:1024",
      "-nodes",
      "-keyout",
      "weak.key",
      "-out",
      "weak.pem",
      "-subj",
      "/CN=weak",
      "-days",
      "1",
    );
    openssl(
      "pkcs12",
      "-export",
      "-in",
      "weak.pem",
      "-inkey",
      "weak.key",
      "-out",
      "weak.p12",
      "-passout",
      "pass:pw",
    );
    await rejectsWithCode(
      importPkcs12({ pkcs12: read("weak.p12"), password: "pw" }),
      "KEY_UNSUPPORTED",
      /RSA 1024/,
    );
  });

  it("refuses a key without its certificate", async () => {
    // OpenSSL will not pair a key with another key's certificate, so the mismatch case (KEY_MISMATCH,
    // shared with the PEM import) is tested there; here the certificate is simply absent.
    openssl(
      "pkcs12",
      "-export",
      "-nocerts",
      "-inkey",
      "leaf.key",
      "-out",
      "nocerts.p12",
      "-passout",
      "pass:pw",
    );
    await rejectsWithCode(
      importPkcs12({ pkcs12: read("nocerts.p12"), password: "pw" }),
      "KEY_PKCS12_INVALID",
      /no certificate/,
    );
  });

  it("refuses what is not a PKCS#12 file", async () => {
    for (const pkcs12 of [
      Buffer.alloc(0),
      Buffer.from("not a pkcs12 file"),
      read("leaf.pem"),
      Buffer.alloc(2 * 1024 * 1024),
    ]) {
      await rejectsWithCode(importPkcs12({ pkcs12, password: "pw" }), "KEY_PKCS12_INVALID");
    }
  });
});
