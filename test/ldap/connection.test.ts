import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import type { LdapDataStore } from "../../src/domain/data-store.ts";
import { ldapFilter } from "../../src/ldap/filter.ts";
import { groupScope, groupsOfEntry } from "../../src/ldap/membership.ts";
import { LdapPool } from "../../src/ldap/pool.ts";
import { directoryPresets } from "../../src/ldap/presets.ts";
import { probe } from "../../src/ldap/probe.ts";
import { connectionSettings } from "../../src/ldap/settings.ts";
import type { ErrorCode } from "../../src/lib/errors.ts";
import { assertCode, rejectedAppError } from "../support/errors.ts";
import {
  adaObjectGuid,
  adaObjectSid,
  baseDn,
  groupDn,
  people,
  type Slapd,
  serviceDn,
  servicePassword,
  serviceSizeLimit,
  startSlapd,
  userDn,
} from "../support/slapd.ts";

/** The LDAP edge against a real slapd: every stage of a connection, TLS both ways, paging, pooling. */

const bulkUsers = 45;

describe("LDAP connections against slapd", () => {
  let slapd: Slapd;
  before(async () => {
    slapd = await startSlapd({ bulkUsers });
  });
  after(async () => {
    await slapd?.dispose();
  });

  const store = (overrides: Partial<LdapDataStore> = {}): LdapDataStore => ({
    type: "LDAP",
    ldapType: "GENERIC",
    hostnames: [slapd.hostname],
    userDN: serviceDn,
    ...overrides,
  });
  const settings = (overrides: Partial<LdapDataStore> = {}, password = servicePassword) =>
    connectionSettings(store(overrides), password);

  const failsWith = async (work: Promise<unknown>, code: ErrorCode, message: RegExp) => {
    const error = await rejectedAppError(work);
    assertCode(error, code, message);
    assert.doesNotMatch(error.message, new RegExp(servicePassword));
  };

  it("binds and reads the root DSE over plain LDAP", async () => {
    const result = await probe(settings(), undefined);
    assert.equal(result.hostname, slapd.hostname);
    assert.deepEqual(result.stages, ["DNS", "TCP", "BIND", "SEARCH"]);
    assert.deepEqual(result.namingContexts, [baseDn]);
    assert.deepEqual(result.skipped, []);
  });

  it("upgrades with StartTLS, trusting the test CA and checking the host name", async () => {
    const result = await probe(settings({ useStartTLS: true, trustedCAs: [slapd.caPem] }), baseDn);
    assert.deepEqual(result.stages, ["DNS", "TCP", "TLS", "BIND", "SEARCH"]);
  });

  it("connects with LDAPS", async () => {
    const result = await probe(
      settings({ useSsl: true, hostnames: [slapd.ldapsHostname], trustedCAs: [slapd.caPem] }),
      baseDn,
    );
    assert.equal(result.hostname, slapd.ldapsHostname);
    assert.ok(result.stages.includes("TLS"));
  });

  it("names DNS when the host name does not resolve", async () => {
    await failsWith(
      probe(settings({ hostnames: ["ldap.portico-test.invalid"] }), undefined),
      "LDAP_DNS",
      /ldap\.portico-test\.invalid/,
    );
  });

  it("names TCP when nothing listens on the port", async () => {
    await failsWith(
      probe(settings({ hostnames: ["127.0.0.1:1"] }), undefined),
      "LDAP_TCP",
      /127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });

  it("names TLS when the certificate's CA is not trusted (StartTLS and LDAPS)", async () => {
    await failsWith(
      probe(settings({ useStartTLS: true, trustedCAs: [slapd.otherCaPem] }), undefined),
      "LDAP_TLS",
      /certificate/i,
    );
    await failsWith(
      probe(
        settings({ useSsl: true, hostnames: [slapd.ldapsHostname], trustedCAs: [slapd.otherCaPem] }),
        undefined,
      ),
      "LDAP_TLS",
      /certificate/i,
    );
  });

  it("names TLS when the certificate is for another host name, and connects once verifyHost is off", async () => {
    const byAddress = {
      useSsl: true,
      hostnames: [`127.0.0.1:${slapd.ldapsPort}`],
      trustedCAs: [slapd.caPem],
    };
    await failsWith(probe(settings(byAddress), undefined), "LDAP_TLS", /altnames|does not match/i);
    const result = await probe(settings({ ...byAddress, verifyHost: false }), undefined);
    assert.equal(result.success, true);
  });

  it("names TLS when StartTLS is asked of a port that speaks LDAPS", async () => {
    await failsWith(
      probe(
        settings({ useStartTLS: true, hostnames: [slapd.ldapsHostname], trustedCAs: [slapd.caPem] }),
        undefined,
      ),
      "LDAP_TLS",
      /.+/,
    );
  });

  it("gives up on a server that accepts connections but never answers, within the timeouts", async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const timeouts = { hostnames: [`127.0.0.1:${port}`], connectionTimeout: 300, readTimeout: 300 };
      await failsWith(
        probe(settings(timeouts), undefined),
        "LDAP_TIMEOUT",
        /did not answer the bind within 300 ms/,
      );
      await failsWith(
        probe(settings({ ...timeouts, useSsl: true, verifyHost: false }), undefined),
        "LDAP_TLS",
        /timeout/i,
      );
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("names the bind when the password is wrong, without echoing it", async () => {
    await failsWith(
      probe(settings({}, "not-the-password"), undefined),
      "LDAP_BIND",
      /Invalid Credentials|49/i,
    );
  });

  it("names the search when the base DN does not exist", async () => {
    await failsWith(probe(settings(), `ou=nowhere,${baseDn}`), "LDAP_SEARCH", /ou=nowhere.*does not exist/);
  });

  it("fails over to the second host when the first is down", async () => {
    const result = await probe(settings({ hostnames: ["127.0.0.1:1", slapd.hostname] }), undefined);
    assert.equal(result.hostname, slapd.hostname);
    assert.equal(result.skipped[0]?.hostname, "127.0.0.1:1");
    assert.equal(result.skipped[0]?.code, "LDAP_TCP");

    const pool = new LdapPool(settings({ hostnames: ["ldap.portico-test.invalid", slapd.hostname] }));
    try {
      const [ada] = await pool.search({ baseDn, filter: "(uid=ada)", attributes: ["mail"] });
      assert.equal(ada?.attributes.mail?.[0], "ada@example.com");
    } finally {
      await pool.close();
    }
  });

  it("pages through more entries than the server gives one plain search", async () => {
    const pool = new LdapPool(settings());
    try {
      const request = {
        baseDn: `ou=people,${baseDn}`,
        filter: "(objectClass=inetOrgPerson)",
        attributes: ["uid"],
      };
      await failsWith(pool.search({ ...request, pageSize: 0 }), "LDAP_SEARCH", /sizeLimitExceeded/);
      const pages: number[] = [];
      for await (const page of pool.searchPages({ ...request, pageSize: 10 })) pages.push(page.length);
      assert.equal(
        pages.reduce((a, b) => a + b, 0),
        people.length + bulkUsers,
      );
      assert.ok(people.length + bulkUsers > serviceSizeLimit);
      assert.ok(pages.length >= 5, `pages: ${pages.join(",")}`);
      const all = await pool.search(request);
      assert.equal(new Set(all.map((e) => e.attributes.uid?.[0])).size, people.length + bulkUsers);
    } finally {
      await pool.close();
    }
  });

  it("reads binary attributes as a GUID and a SID string when the data store lists them", async () => {
    const pool = new LdapPool(settings({ binaryAttributes: ["objectGUID", "objectSid"] }));
    try {
      const [ada] = await pool.search({
        baseDn,
        filter: "(uid=ada)",
        attributes: ["objectGUID", "objectSid"],
      });
      assert.deepEqual(ada?.attributes.objectGUID, [adaObjectGuid]);
      assert.deepEqual(ada?.attributes.objectSid, [adaObjectSid]);
    } finally {
      await pool.close();
    }
    // Active Directory's preset reads both as binary without being told.
    const ad = connectionSettings(store({ ldapType: "ACTIVE_DIRECTORY" }), servicePassword);
    assert.deepEqual(ad.binaryAttributes, ["objectGUID", "objectSid"]);
  });

  it("escapes an injection attempt: `*)(uid=*` finds no one, not everyone", async () => {
    const pool = new LdapPool(settings());
    try {
      const hostile = "*)(uid=*";
      const found = await pool.search({
        baseDn,
        filter: ldapFilter`(&(objectClass=inetOrgPerson)(uid=${hostile}))`,
      });
      assert.deepEqual(found, []);
      const ada = await pool.search({
        baseDn,
        filter: ldapFilter`(&(objectClass=inetOrgPerson)(uid=${"ada"}))`,
      });
      assert.equal(ada.length, 1);
    } finally {
      await pool.close();
    }
  });

  it("reuses pooled connections instead of opening one per operation", async () => {
    const pool = new LdapPool(settings());
    try {
      const before = await slapd.totalConnections();
      for (let i = 0; i < 10; i++) await pool.search({ baseDn, filter: "(uid=ada)", attributes: ["uid"] });
      await Promise.all(
        [1, 2, 3].map(() => pool.search({ baseDn, filter: "(uid=bob)", attributes: ["uid"] })),
      );
      const after = await slapd.totalConnections();
      // The pool opened at most three (the parallel searches), plus the monitor's own query.
      assert.ok(after - before <= 4, `${after - before} new connections`);
      assert.ok(pool.size <= 3);
    } finally {
      await pool.close();
    }
  });

  it("closes connections left idle past timeBetweenEvictions, keeping minConnections", async () => {
    const pool = new LdapPool(settings({ timeBetweenEvictions: 1000 }));
    const keeping = new LdapPool(settings({ timeBetweenEvictions: 1000, minConnections: 1 }));
    try {
      await Promise.all([1, 2].map(() => pool.search({ baseDn, filter: "(uid=ada)" })));
      await Promise.all([1, 2].map(() => keeping.search({ baseDn, filter: "(uid=ada)" })));
      assert.equal(pool.size, 2);
      await new Promise((resolve) => setTimeout(resolve, 2300));
      assert.equal(pool.size, 0);
      assert.equal(keeping.size, 1);
      assert.equal((await pool.search({ baseDn, filter: "(uid=ada)" })).length, 1);
    } finally {
      await pool.close();
      await keeping.close();
    }
  });

  it("waits for a free connection when the pool is full, and fails when none frees in time", async () => {
    const pool = new LdapPool(settings({ maxConnections: 1, maxWait: 200 }));
    try {
      const results = await Promise.all(
        ["ada", "bob", "carol"].map((uid) =>
          pool.search({ baseDn, filter: ldapFilter`(uid=${uid})`, attributes: ["uid"] }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r[0]?.attributes.uid?.[0]),
        ["ada", "bob", "carol"],
      );
      assert.equal(pool.size, 1);
      let release = () => {};
      const held = pool.withConnection(() => new Promise<void>((resolve) => (release = resolve)));
      await failsWith(pool.search({ baseDn, filter: "(uid=ada)" }), "LDAP_TIMEOUT", /busy/);
      release();
      await held;
    } finally {
      await pool.close();
    }
  });

  it("drops a connection the server closed, and connects again when it is back", async () => {
    const pool = new LdapPool(settings({ retryFailedOperations: true }));
    try {
      assert.equal((await pool.search({ baseDn, filter: "(uid=ada)" })).length, 1);
      await slapd.stop();
      await failsWith(pool.search({ baseDn, filter: "(uid=ada)" }), "LDAP_TCP", /.+/);
      await slapd.start();
      assert.equal((await pool.search({ baseDn, filter: "(uid=ada)" })).length, 1);
    } finally {
      await pool.close();
    }
  });

  it("expands nested groups in OpenLDAP, through a cycle, and reads memberOf from the overlay", async () => {
    const pool = new LdapPool(settings());
    const preset = directoryPresets.GENERIC;
    try {
      const lower = (dns: readonly string[]) => dns.map((dn) => dn.toLowerCase()).sort();
      const nested = await groupScope(pool, preset, baseDn, groupDn("salesforce-users"), true);
      assert.deepEqual([...nested.members].sort(), lower(["ada", "bob", "carol", "dave"].map(userDn)));
      assert.deepEqual(
        [...nested.groups].sort(),
        lower(["engineering", "platform", "salesforce-users"].map(groupDn)),
        "the groups whose change can change the scope: all three, through the cycle",
      );
      // Without nesting, the group's own entry is enough: its member engineering, a group, is
      // kept, and matches no user entry.
      const direct = await groupScope(pool, preset, baseDn, groupDn("salesforce-users"), false);
      assert.deepEqual(
        [...direct.members].sort(),
        lower([userDn("ada"), userDn("bob"), groupDn("engineering")]),
      );
      assert.deepEqual([...direct.groups], lower([groupDn("salesforce-users")]));
      const missing = await groupScope(pool, preset, baseDn, groupDn("nobody"), false);
      assert.equal(missing.members.size, 0, "a scope group that does not exist has no members");
      const daveIn = await groupsOfEntry(pool, preset, baseDn, userDn("dave"), true);
      assert.deepEqual(
        daveIn.sort(),
        ["engineering", "platform", "salesforce-users"].map((g) => groupDn(g).toLowerCase()),
      );
      const [dave] = await pool.search({ baseDn, filter: "(uid=dave)", attributes: ["memberOf"] });
      assert.deepEqual(dave?.attributes.memberOf, [groupDn("platform")]);
    } finally {
      await pool.close();
    }
  });
});
