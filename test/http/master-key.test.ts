import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { generateMasterKey, masterKeyId, parseMasterKey } from "../../src/crypto/secret-box.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

type Status = { keyId: string; byKeyId: Record<string, number> };
type Report = Status & { resealed: Record<string, number>; unreadable: string[] };

/**
 * Master-key rotation: a new key with the old one as previous opens everything; reseal moves every
 * stored secret under the new key; then the old key is not needed. Without the old key, reseal says
 * where the values are that nothing opens, and changes nothing.
 */
describe("master-key rotation", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-rotate-"));
  const databaseUrl = `sqlite:${join(dir, "portico.db")}`;
  const oldKey = generateMasterKey();
  const newKey = generateMasterKey();
  const oldId = masterKeyId(parseMasterKey(oldKey));
  const newId = masterKeyId(parseMasterKey(newKey));
  const servers: TestServer[] = [];
  const start = async (masterKey: string, previous?: string) => {
    const server = await startTestServer({
      databaseUrl,
      masterKey,
      ...(previous ? { env: { PORTICO_MASTER_KEY_PREVIOUS: previous } } : {}),
    });
    servers.push(server);
    return server;
  };
  const json = async <T>(server: TestServer, method: "GET" | "POST", path: string) => {
    const response = await server.request(method, path, method === "POST" ? {} : undefined);
    assert.equal(response.statusCode, 200, response.body);
    return JSON.parse(response.body) as T;
  };
  after(async () => {
    for (const server of servers) await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("re-seals every stored secret under the new key, and the old key is then not needed", async () => {
    const before = await start(oldKey);
    const created = await before.request("POST", "/dataStores", {
      type: "LDAP",
      ldapType: "GENERIC",
      name: "Corporate",
      hostnames: ["127.0.0.1:1"],
      userDN: "cn=svc,dc=example,dc=com",
      password: "bind-secret",
      useStartTLS: false,
    });
    assert.equal(created.statusCode, 201, created.body);
    const storeId = (JSON.parse(created.body) as { id: string }).id;
    const first = await json<Status>(before, "GET", "/serverSettings/masterKey");
    assert.equal(first.keyId, oldId);
    assert.deepEqual(Object.keys(first.byKeyId), [oldId]);
    const sealedCount = first.byKeyId[oldId] ?? 0;
    assert.ok(sealedCount >= 2, "the signing key and the bind password at least");
    await before.close();

    // The new key alone: nothing opens; reseal names where the values are and changes nothing.
    const alone = await start(newKey);
    const refused = await json<Report>(alone, "POST", "/serverSettings/masterKey/reseal");
    assert.ok(refused.unreadable.includes(`data store ${storeId}`), JSON.stringify(refused));
    assert.deepEqual(refused.resealed, {});
    assert.equal(refused.byKeyId[oldId], sealedCount);
    assert.ok(!JSON.stringify(refused).includes("bind-secret"));
    await alone.close();

    // The new key with the old one as previous: reseal moves everything.
    const rotating = await start(newKey, oldKey);
    const report = await json<Report>(rotating, "POST", "/serverSettings/masterKey/reseal");
    assert.deepEqual(report.unreadable, []);
    assert.equal(report.resealed.dataStores, 1);
    assert.ok((report.resealed.signingKeys ?? 0) >= 1, JSON.stringify(report));
    assert.deepEqual(report.byKeyId, { [newId]: sealedCount });
    const again = await json<Report>(rotating, "POST", "/serverSettings/masterKey/reseal");
    assert.deepEqual(again.resealed, {}, "nothing left to do");
    await rotating.close();

    const after = await start(newKey);
    assert.deepEqual((await json<Status>(after, "GET", "/serverSettings/masterKey")).byKeyId, {
      [newId]: sealedCount,
    });
    const record = await after.context.store.dataStores.get(storeId);
    const sealed = String(
      (record?.document as { encryptedPassword?: string } | undefined)?.encryptedPassword,
    );
    assert.equal(after.context.secretBox.openText(sealed, "dataStore.password"), "bind-secret");
    const audit = await after.request("GET", "/auditLog?action=masterKey.reseal");
    assert.match(audit.body, /masterKey\.reseal/);
  });
});
