import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assertProblem } from "../support/errors.ts";
import { pfCompatExamplesDir } from "../support/pf-compat.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

/**
 * `/bulk/import` and `/bulk/export` speak PingFederate's bulk format (the server profiles'
 * `data.json`): `{metadata: {pfVersion}, operations: [{operationType, resourceType, items}]}`.
 * Portico's own bundle lives at `/portico/config/export|import` (covered in connections.test.ts).
 */

const examplesDir = pfCompatExamplesDir();
const example = (name: string) => JSON.parse(readFileSync(join(examplesDir, name), "utf8"));

/** A PKCS#12 file made by openssl, as PingFederate's bulk export carries a signing key pair. */
const pkcs12 = (dir: string, password: string): string => {
  const key = join(dir, "k.key");
  const crt = join(dir, "k.crt");
  const p12 = join(dir, "k.p12");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt, "-days", "30"].concat([
      "-subj",
      "/CN=devsigningcert.example",
    ]),
    { stdio: "ignore" },
  );
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
    `pass:${password}`,
  ]);
  return readFileSync(p12).toString("base64");
};

describe("PingFederate's bulk format on /bulk/import and /bulk/export", () => {
  let server: TestServer;
  let work: string;
  before(async () => {
    server = await startTestServer();
    work = mkdtempSync(join(tmpdir(), "portico-pfbulk-"));
  });
  after(async () => {
    await server.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  const bulk = (fileData: string, password: string) => ({
    metadata: { pfVersion: "13.0.0.6" },
    operations: [
      {
        operationType: "SAVE",
        subResource: "cors-configuration",
        items: [{ stringValue: "GET,POST", id: "allowedMethods", type: "STRING" }],
        resourceType: "/configStore",
      },
      {
        operationType: "SAVE",
        items: [{ fileData, password, id: "devsigningcert" }],
        resourceType: "/keyPairs/signing",
      },
      {
        operationType: "SAVE",
        items: [{ id: "LDAP-1", type: "LDAP", name: "pd" }],
        resourceType: "/dataStores",
      },
      {
        operationType: "SAVE",
        items: [example("01-pf13-saml-policy-contract.json"), example("02-pf12-wstrust-only.json")],
        resourceType: "/idp/spConnections",
      },
    ],
  });

  it("refuses a key pair whose password is a server profile's unsubstituted variable, importing nothing", async () => {
    const document = bulk(pkcs12(work, "p12-pass"), `\${keyPairs_signing_items_devsigningcert_password}`);
    const refused = await server.request("POST", "/bulk/import", document);
    assertProblem(refused, "CONFIG_BUNDLE_INVALID", 422);
    assert.match(
      refused.json().detail,
      /operations\[1\]\.items\[0\]\.password: .*substitute a server profile/,
    );
    const connections = (await server.request("GET", "/idp/spConnections")).json().items;
    assert.equal(connections.length, 0);
  });

  it("imports the SP connections and signing key pairs it carries, and names what it skipped", async () => {
    const imported = await server.request("POST", "/bulk/import", bulk(pkcs12(work, "p12-pass"), "p12-pass"));
    assert.equal(imported.statusCode, 200, imported.body);
    const report = imported.json();
    assert.deepEqual(report.keyPairsImported, ["devsigningcert"]);
    assert.deepEqual(report.spConnectionsImported, [
      "gpFvXmhDHSRUSHWLZLZ_XBIU_YK",
      "IENFjGICXt3YsBKNxHSzkN28LWg",
    ]);
    assert.deepEqual(report.skipped, [
      {
        operation: 0,
        resourceType: "/configStore",
        subResource: "cors-configuration",
        operationType: "SAVE",
        items: 1,
      },
      { operation: 2, resourceType: "/dataStores", operationType: "SAVE", items: 1 },
    ]);
    const key = await server.request("GET", "/keyPairs/signing/devsigningcert");
    assert.equal(key.statusCode, 200, key.body);
    assert.match(key.json().subjectDN, /devsigningcert\.example/);
  });

  it("exports the SP connections in the same shape, which a fresh server imports", async () => {
    const exported = await server.request("GET", "/bulk/export");
    assert.equal(exported.statusCode, 200, exported.body);
    const document = exported.json();
    assert.match(document.metadata.pfVersion, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(document.operations.length, 1);
    const [operation] = document.operations;
    assert.equal(operation.operationType, "SAVE");
    assert.equal(operation.resourceType, "/idp/spConnections");
    assert.deepEqual(operation.items.map((c: { name: string }) => c.name).sort(), [
      "Dummy SP Connection",
      "docker",
    ]);

    const other = await startTestServer();
    try {
      const key = await other.request("POST", "/keyPairs/signing/generate", {
        id: "devsigningcert",
        commonName: "x",
      });
      assert.equal(key.statusCode, 201, key.body);
      const again = await other.request("POST", "/bulk/import", document);
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().spConnectionsImported.length, 2);
      const dummy = await other.request("GET", "/idp/spConnections/gpFvXmhDHSRUSHWLZLZ_XBIU_YK");
      assert.equal(dummy.json().spBrowserSso.ssoServiceEndpoints[0].url, "https://httpbin.org/anything");
    } finally {
      await other.dispose();
    }
  });

  it("refuses Portico's own bundle on /bulk/import, pointing at its path", async () => {
    const bundle = (await server.request("GET", "/portico/config/export")).json();
    assert.equal(bundle.formatVersion, 1);
    const refused = await server.request("POST", "/bulk/import", bundle);
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.json().detail, /operations/);
  });
});
