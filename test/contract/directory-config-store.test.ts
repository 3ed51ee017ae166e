import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Store } from "../../src/domain/ports.ts";
import { openStore } from "../../src/store/open-store.ts";
import { dialects, type TestDatabase } from "../support/databases.ts";
import { rejectsWithCode } from "../support/errors.ts";

/** The store's contract for the directory configuration: LDAP data stores and credential validators. */
for (const dialect of dialects) {
  describe(`store contract: data stores and credential validators (${dialect.name})`, () => {
    let database: TestDatabase;
    let store: Store;

    before(async () => {
      database = await dialect.create();
      store = openStore(database.url);
      await store.migrate();
    });
    after(async () => {
      await store.close();
      await database.drop();
    });

    it("stores data stores by id, with unique names, listed by name", async () => {
      const record = (id: string, name: string) => ({
        id,
        name,
        type: "LDAP" as const,
        document: {
          type: "LDAP" as const,
          id,
          name,
          ldapType: "PING_DIRECTORY" as const,
          hostnames: ["ldap.example.com:636"],
          userDN: "cn=portico,dc=example,dc=com",
          encryptedPassword: "v1.sealed",
          useSsl: true,
        },
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:00.000Z",
      });
      await store.dataStores.create(record("LDAP-2", "Zeta directory"));
      await store.dataStores.create(record("LDAP-1", "Alpha directory"));
      assert.deepEqual(await store.dataStores.get("LDAP-2"), record("LDAP-2", "Zeta directory"));
      assert.equal((await store.dataStores.getByName("Alpha directory"))?.id, "LDAP-1");
      assert.deepEqual(
        (await store.dataStores.list()).map((r) => r.id),
        ["LDAP-1", "LDAP-2"],
      );
      for (const duplicate of [record("LDAP-1", "Other"), record("LDAP-3", "Alpha directory")]) {
        await rejectsWithCode(store.dataStores.create(duplicate), "STORE_CONFLICT");
      }
      const renamed = { ...record("LDAP-2", "Beta directory"), updatedAt: "2026-01-02T00:00:00.000Z" };
      assert.equal(await store.dataStores.update(renamed), true);
      assert.equal((await store.dataStores.get("LDAP-2"))?.name, "Beta directory");
      assert.equal((await store.dataStores.get("LDAP-2"))?.createdAt, "2026-01-01T00:00:00.000Z");
      assert.equal(await store.dataStores.update(record("nope", "Nope")), false);
      assert.equal(await store.dataStores.delete("LDAP-1"), true);
      assert.equal(await store.dataStores.delete("LDAP-1"), false);
      assert.equal(await store.dataStores.get("LDAP-1"), undefined);
    });

    it("stores password credential validators by id, with unique names, listed by name", async () => {
      const record = (id: string, name: string) => ({
        id,
        name,
        document: {
          id,
          name,
          pluginDescriptorRef: { id: "org.sourceid.saml20.domain.LDAPUsernamePasswordCredentialValidator" },
          configuration: {
            fields: [
              { name: "LDAP Datastore", value: "LDAP-1" },
              // biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's placeholder, not a template
              { name: "Search Filter", value: "(uid=${username})" },
            ],
          },
        },
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:00.000Z",
      });
      await store.credentialValidators.create(record("pcv2", "Zeta"));
      await store.credentialValidators.create(record("pcv1", "Alpha"));
      assert.deepEqual(await store.credentialValidators.get("pcv2"), record("pcv2", "Zeta"));
      assert.equal((await store.credentialValidators.getByName("Alpha"))?.id, "pcv1");
      assert.deepEqual(
        (await store.credentialValidators.list()).map((r) => r.id),
        ["pcv1", "pcv2"],
      );
      for (const duplicate of [record("pcv1", "Other"), record("pcv3", "Alpha")]) {
        await rejectsWithCode(store.credentialValidators.create(duplicate), "STORE_CONFLICT");
      }
      assert.equal(await store.credentialValidators.update(record("pcv2", "Beta")), true);
      assert.equal((await store.credentialValidators.get("pcv2"))?.name, "Beta");
      assert.equal(await store.credentialValidators.update(record("nope", "Nope")), false);
      assert.equal(await store.credentialValidators.delete("pcv1"), true);
      assert.equal(await store.credentialValidators.delete("pcv1"), false);
    });
  });
}
