import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assertProblem } from "../support/errors.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

type KeyView = {
  id: string;
  keyAlgorithm: string;
  keySize: number;
  subjectDN: string;
  serialNumber: string;
  sha1Fingerprint: string;
  sha256Fingerprint: string;
  validFrom: string;
  expires: string;
  expiryWarning: string | null;
  isDefault: boolean;
  usedBy: unknown[];
};

describe("signing key pairs", () => {
  let server: TestServer;
  let work: string;
  const responses: string[] = [];
  const call = async (...args: Parameters<TestServer["request"]>) => {
    const response = await server.request(...args);
    responses.push(response.body);
    return response;
  };

  before(async () => {
    server = await startTestServer();
    work = mkdtempSync(join(tmpdir(), "portico-keys-"));
  });
  after(async () => {
    await server.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it("starts with the generated RSA-2048 default key", async () => {
    const list = (await call("GET", "/keyPairs/signing")).json() as { items: KeyView[] };
    assert.equal(list.items.length, 1);
    const [key] = list.items;
    assert.equal(key?.keyAlgorithm, "RSA");
    assert.equal(key?.keySize, 2048);
    assert.equal(key?.isDefault, true);
    assert.match(key?.sha256Fingerprint ?? "", /^[0-9A-F]{64}$/);
    assert.match(key?.sha1Fingerprint ?? "", /^[0-9A-F]{40}$/);
  });

  for (const [algorithm, size] of [
    ["RSA", 2048],
    ["RSA", 3072],
    ["EC", 256],
  ] as const) {
    it(`generates ${algorithm} ${size} with a certificate openssl reads`, async () => {
      const id = `gen-${algorithm}-${size}`.toLowerCase();
      const created = await call("POST", "/keyPairs/signing/generate", {
        id,
        commonName: "idp.acme.example",
        organization: "Acme, Inc.",
        keyAlgorithm: algorithm,
        keySize: size,
        validDays: 400,
      });
      assert.equal(created.statusCode, 201, created.body);
      const view = created.json() as KeyView;
      assert.equal(view.keyAlgorithm, algorithm);
      assert.equal(view.keySize, size);
      assert.match(view.subjectDN, /CN=idp\.acme\.example/);
      const pem = await call("GET", `/keyPairs/signing/${id}/certificate`);
      assert.equal(pem.statusCode, 200);
      assert.match(String(pem.headers["content-type"]), /application\/x-pem-file/);
      const file = join(work, `${id}.crt`);
      writeFileSync(file, pem.body);
      const text = execFileSync(
        "openssl",
        ["x509", "-in", file, "-noout", "-subject", "-fingerprint", "-sha256", "-text"],
        {
          encoding: "utf8",
        },
      );
      assert.match(text, /idp\.acme\.example/);
      assert.match(text, /O ?= ?"?Acme, Inc\./);
      assert.ok(
        text.replace(/:/g, "").includes(view.sha256Fingerprint),
        "the listed thumbprint is the certificate's",
      );
      assert.match(text, algorithm === "EC" ? /prime256v1|P-256/ : new RegExp(`${size} bit`));
    });
  }

  it("warns within 30 days of expiry", async () => {
    const created = (
      await call("POST", "/keyPairs/signing/generate", { id: "short", validDays: 10 })
    ).json() as KeyView;
    assert.match(created.expiryWarning ?? "", /within 30 days/);
  });

  it("imports a PEM key pair and a PKCS#12 file made by openssl", async () => {
    const key = join(work, "imp.key");
    const crt = join(work, "imp.crt");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        crt,
        "-days",
        "30",
        "-subj",
        "/CN=imported.example",
      ],
      {
        stdio: "ignore",
      },
    );
    const pemImport = await call("POST", "/keyPairs/signing/import", {
      id: "imported-pem",
      format: "PEM",
      fileData: readFileSync(key, "utf8") + readFileSync(crt, "utf8"),
    });
    assert.equal(pemImport.statusCode, 201, pemImport.body);
    assert.match((pemImport.json() as KeyView).subjectDN, /imported\.example/);

    const p12 = join(work, "imp.p12");
    execFileSync("openssl", [
      "pkcs12",
      "-export",
      "-inkey",
      key,
      "-in",
      crt,
      "-out",
      p12,
      "-passout",
      "pass:p12-password",
    ]);
    const p12Import = await call("POST", "/keyPairs/signing/import", {
      id: "imported-p12",
      format: "PKCS12",
      fileData: readFileSync(p12).toString("base64"),
      password: "p12-password",
    });
    assert.equal(p12Import.statusCode, 201, p12Import.body);
    assert.equal(
      (p12Import.json() as KeyView).sha256Fingerprint,
      (pemImport.json() as KeyView).sha256Fingerprint,
    );

    const wrong = await call("POST", "/keyPairs/signing/import", {
      id: "wrong",
      format: "PKCS12",
      fileData: readFileSync(p12).toString("base64"),
      password: "not-it",
    });
    assertProblem(wrong, "KEY_PKCS12_INVALID");
    assert.equal(await server.context.store.signingKeys.get("wrong"), undefined);

    const mismatch = await call("POST", "/keyPairs/signing/import", {
      format: "PEM",
      fileData: readFileSync(key, "utf8") + (await call("GET", "/keyPairs/signing/short/certificate")).body,
    });
    assertProblem(mismatch, "KEY_MISMATCH");
  });

  it("refuses a duplicate id, deletes unused keys, and keeps the default", async () => {
    const dup = await call("POST", "/keyPairs/signing/generate", { id: "short" });
    assertProblem(dup, "KEY_EXISTS");
    assert.equal((await call("DELETE", "/keyPairs/signing/short")).statusCode, 204);
    assertProblem(await call("GET", "/keyPairs/signing/short"), "KEY_NOT_FOUND");
    const def = await call("DELETE", "/keyPairs/signing/default-signing");
    assertProblem(def, "KEY_IN_USE");
    const made = await call("PUT", "/keyPairs/signing/gen-ec-256/default");
    assert.equal((made.json() as KeyView).isDefault, true);
  });

  it("keeps private keys sealed at rest and never returns them", async () => {
    for (const record of await server.context.store.signingKeys.list()) {
      assert.ok(!record.privateKeySealed.includes("PRIVATE KEY"), `${record.id} is sealed`);
      assert.match(record.privateKeySealed, /^v2\./);
    }
    for (const body of responses)
      assert.ok(!body.includes("PRIVATE KEY"), "a response carried a private key");
    const exported = await call("GET", "/portico/config/export");
    assert.ok(!exported.body.includes("PRIVATE KEY"));
  });
});
