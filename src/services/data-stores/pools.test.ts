import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rejectedAppError } from "../../../test/support/errors.ts";
import { openServiceContext, testActor } from "../../../test/support/service-context.ts";
import { type Slapd, serviceDn, servicePassword, startSlapd } from "../../../test/support/slapd.ts";
import type { ServiceContext } from "../context.ts";
import { createDataStore, deleteDataStore, getDataStoreRecord, updateDataStore } from "./data-stores.ts";
import { closeLdapPools, ldapPoolFor } from "./pools.ts";

describe("LDAP pools per data store", () => {
  let slapd: Slapd;
  let context: ServiceContext;
  let dispose: () => Promise<void>;
  before(async () => {
    slapd = await startSlapd({ bulkUsers: 0 });
    ({ context, dispose } = await openServiceContext());
  });
  after(async () => {
    await closeLdapPools(context);
    await dispose();
    await slapd.dispose();
  });

  const input = { type: "LDAP" as const, ldapType: "GENERIC" as const };

  it("shares one pool while the data store is unchanged, and replaces it when it changes", async () => {
    await createDataStore(context, testActor, {
      ...input,
      hostnames: [slapd.hostname],
      id: "corp",
      userDN: serviceDn,
      password: servicePassword,
    });
    const first = await ldapPoolFor(context, await getDataStoreRecord(context, "corp"));
    assert.equal(await ldapPoolFor(context, await getDataStoreRecord(context, "corp")), first);
    assert.equal((await first.search({ baseDn: "dc=example,dc=com", filter: "(uid=ada)" })).length, 1);

    await updateDataStore(context, testActor, "corp", {
      ...input,
      hostnames: [slapd.hostname],
      userDN: serviceDn,
      readTimeout: 5000,
    });
    const second = await ldapPoolFor(context, await getDataStoreRecord(context, "corp"));
    assert.notEqual(second, first);
    await rejectedAppError(first.search({ baseDn: "dc=example,dc=com" }));
    assert.equal((await second.search({ baseDn: "dc=example,dc=com", filter: "(uid=bob)" })).length, 1);

    await deleteDataStore(context, testActor, "corp");
    await assert.rejects(second.search({ baseDn: "dc=example,dc=com" }), /closed/);
  });
});
