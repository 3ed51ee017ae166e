import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { createEmulator } from "../../emulator/salesforce/app.ts";
import { firstError, type Harness, harness, newUser, type OrgInfo } from "./support.ts";

/** The control API (issue 4, item 5): org info, reset, seed, fields, request log, stats, faults. */

type Fault = {
  name: string;
  fault: Record<string, unknown>;
  call(h: Harness): Promise<{ status: number; body: unknown }>;
  status: number;
  body: unknown;
};

const limitsCall = (h: Harness) => h.api("GET", "limits");

const faults: Fault[] = [
  {
    name: "503 SERVER_UNAVAILABLE",
    fault: { kind: "503" },
    call: limitsCall,
    status: 503,
    body: [{ message: "Server unavailable", errorCode: "SERVER_UNAVAILABLE" }],
  },
  {
    name: "500 UNKNOWN_EXCEPTION",
    fault: { kind: "500" },
    call: limitsCall,
    status: 500,
    body: undefined,
  },
  {
    name: "403 REQUEST_LIMIT_EXCEEDED",
    fault: { kind: "REQUEST_LIMIT_EXCEEDED" },
    call: limitsCall,
    status: 403,
    body: [{ message: "TotalRequests Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" }],
  },
  {
    name: "400 UNABLE_TO_LOCK_ROW on the matching path only",
    fault: { kind: "UNABLE_TO_LOCK_ROW", path: "/composite/sobjects", method: "POST" },
    call: async (h) => {
      assert.equal((await limitsCall(h)).status, 200, "another path is not affected");
      return h.api("POST", "composite/sobjects", {
        records: [{ attributes: { type: "User" }, ...newUser(h.info, "lock") }],
      });
    },
    status: 400,
    body: undefined,
  },
  {
    name: "the token endpoint fails in OAuth's shape",
    fault: { kind: "503", path: "/services/oauth2/token" },
    call: (h) =>
      h.form("/services/oauth2/token", {
        grant_type: "client_credentials",
        client_id: h.info.clientId,
        client_secret: h.info.clientSecret,
      }),
    status: 503,
    body: { error: "server_unavailable", error_description: "Server unavailable" },
  },
];

describe("control API", () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  beforeEach(async () => {
    await h.control("POST", "/reset");
  });
  after(async () => {
    await h.close();
  });

  it("describes the org", async () => {
    const info = h.info;
    assert.match(info.orgId, /^00D[0-9A-Za-z]{15}$/);
    assert.equal(info.orgId15, info.orgId.slice(0, 15));
    assert.match(info.clientId, /^3MVG9[0-9A-Za-z]{80}$/);
    assert.match(info.clientSecret, /^[0-9A-F]{64}$/);
    assert.equal(info.adminUsername, "integration@acme-emulator.example.com");
    assert.equal(info.apiVersion, "66.0");
    assert.deepEqual(Object.keys(info.profiles).sort(), [
      "Acme Customer Community User",
      "Chatter Free User",
      "Customer Community User",
      "Minimum Access - Salesforce",
      "Read Only",
      "Standard User",
      "System Administrator",
    ]);
    assert.equal(info.communities[0]?.name, "customers");
    assert.match(String(info.communities[0]?.siteId), /^0DM/);
  });

  it("reset forgets records but keeps the org, seeded ids and sessions", async () => {
    const created = await h.api("POST", "sobjects/User", newUser(h.info, "reset"));
    const id = (created.body as { id: string }).id;
    const reset = await h.control("POST", "/reset");
    assert.equal((reset.body as { orgId: string }).orgId, h.info.orgId);
    assert.equal((reset.body as { adminUserId: string }).adminUserId, h.info.adminUserId);
    assert.equal((await h.api("GET", `sobjects/User/${id}`)).status, 404);
    const again = await h.api("POST", "sobjects/User", newUser(h.info, "reset"));
    assert.notEqual((again.body as { id: string }).id, id, "ids are not handed out twice");
  });

  it("seeds records that reference each other, all or nothing", async () => {
    const ok = await h.control("POST", "/seed", {
      records: [
        { type: "Account", ref: "acct", fields: { Name: "Seeded Co", OwnerId: h.info.adminUserId } },
        { type: "Contact", ref: "ct", fields: { LastName: "Seeded", AccountId: "@{acct}" } },
        {
          type: "User",
          profile: "Acme Customer Community User",
          fields: { ...newUser(h.info, "seeded"), ProfileId: undefined, ContactId: "@{ct}" },
        },
      ],
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal((ok.body as { created: unknown[] }).created.length, 3);

    const bad = await h.control("POST", "/seed", {
      records: [
        { type: "Account", fields: { Name: "Never Co" } },
        { type: "User", profile: "Standard User", fields: newUser(h.info, "bad", { Alias: "far-too-long" }) },
      ],
    });
    assert.equal(bad.status, 400);
    assert.match((bad.body as { message: string }).message, /STRING_TOO_LONG/);
    const q = await h.api(
      "GET",
      `query?q=${encodeURIComponent("SELECT COUNT() FROM Account WHERE Name = 'Never Co'")}`,
    );
    assert.equal((q.body as { totalSize: number }).totalSize, 0);
  });

  it("adds custom fields that describe then shows", async () => {
    const res = await h.control("POST", "/fields", {
      object: "Contact",
      fields: [
        { name: "Badge_Number__c", type: "string", length: 12, label: "Badge Number" },
        { name: "Is_Vip__c", type: "boolean" },
      ],
    });
    assert.equal(res.status, 201);
    const describe = (await h.api("GET", "sobjects/Contact/describe")).body as {
      fields: Record<string, unknown>[];
    };
    const badge = describe.fields.find((f) => f.name === "Badge_Number__c");
    assert.deepEqual(
      [badge?.custom, badge?.label, badge?.length, badge?.createable, badge?.updateable, badge?.nillable],
      [true, "Badge Number", 12, true, true, true],
    );
    const invalid = await h.control("POST", "/fields", { object: "Contact", fields: [{ name: "NoSuffix" }] });
    assert.equal(invalid.status, 400);
  });

  it("logs requests with credentials redacted, and counts calls by kind", async () => {
    await h.control("DELETE", "/requests");
    await h.form("/services/oauth2/token", {
      grant_type: "client_credentials",
      client_id: h.info.clientId,
      client_secret: h.info.clientSecret,
    });
    await h.api("POST", "composite/sobjects", {
      records: [{ attributes: { type: "User" }, ...newUser(h.info, "log") }],
    });
    const log = (await h.control("GET", "/requests")).body as {
      requests: {
        method: string;
        path: string;
        body: Record<string, unknown>;
        time: string;
        status: number;
        kind: string;
      }[];
    };
    const [token, batch] = log.requests;
    assert.equal(token?.path, "/services/oauth2/token");
    assert.equal(token?.body.client_secret, "[REDACTED]");
    assert.equal(token?.body.client_id, h.info.clientId);
    assert.equal(token?.time, "2026-07-01T12:00:00.000Z");
    assert.equal(batch?.method, "POST");
    assert.equal(batch?.path, "/services/data/v66.0/composite/sobjects");
    assert.equal(batch?.status, 200);
    assert.equal(
      (batch?.body.records as Record<string, unknown>[] | undefined)?.[0]?.Username,
      "userlog@test.example.com",
    );
    assert.ok(!JSON.stringify(log).includes(h.token), "no session id in the log");
    assert.ok(!JSON.stringify(log).includes(h.info.clientSecret), "no client secret in the log");

    const stats = (await h.control("GET", "/stats")).body as {
      byKind: Record<string, number>;
      records: Record<string, number>;
    };
    assert.equal(stats.byKind["oauth.token.client_credentials"], 1);
    assert.equal(stats.byKind["rest.collections.create"], 1);
    assert.equal(stats.records.User, 5);
  });

  for (const f of faults) {
    it(`injects ${f.name} for the next matching call only`, async () => {
      const added = await h.control("POST", "/faults", f.fault);
      assert.equal(added.status, 200);
      const res = await f.call(h);
      assert.equal(res.status, f.status, JSON.stringify(res.body));
      if (f.body !== undefined) assert.deepEqual(res.body, f.body);
      else
        assert.equal(
          firstError(res.body).errorCode,
          f.status === 500 ? "UNKNOWN_EXCEPTION" : "UNABLE_TO_LOCK_ROW",
        );
      const next = await f.call(h);
      assert.ok(next.status < 300, `the fault is used up: ${next.status}`);
    });
  }

  it("a fault with a count fails that many calls", async () => {
    await h.control("POST", "/faults", { kind: "503", count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await limitsCall(h)).status);
    assert.deepEqual(statuses, [503, 503, 200]);
  });

  it("locks single records of a collection: UNABLE_TO_LOCK_ROW in their SaveResult, the others saved", async () => {
    await h.control("POST", "/faults", { kind: "locked-record", count: 1, path: "/composite/sobjects" });
    assert.equal((await limitsCall(h)).status, 200, "a call is not failed by a record lock");
    const records = ["lockA", "lockB"].map((n) => ({ attributes: { type: "User" }, ...newUser(h.info, n) }));
    const res = await h.api("POST", "composite/sobjects", { allOrNone: false, records });
    assert.equal(res.status, 200);
    const [first, second] = res.body as { success: boolean; errors: { statusCode: string }[] }[];
    assert.equal(first?.success, false);
    assert.equal(first?.errors[0]?.statusCode, "UNABLE_TO_LOCK_ROW");
    assert.equal(second?.success, true, "the other record is saved");
    const again = await h.api("POST", "composite/sobjects", {
      allOrNone: false,
      records: records.slice(0, 1),
    });
    assert.equal((again.body as { success: boolean }[])[0]?.success, true, "the lock is used up");
  });

  it("the daily API quota runs out with 403 REQUEST_LIMIT_EXCEEDED", async () => {
    await h.control("PUT", "/limits", { dailyApiRequests: 10, apiRequestsUsed: 10 });
    const res = await limitsCall(h);
    assert.equal(res.status, 403);
    assert.equal(firstError(res.body).errorCode, "REQUEST_LIMIT_EXCEEDED");
    assert.equal(res.headers["sforce-limit-info"], "api-usage=10/10");
  });

  it("refuses a JWT certificate that is not one", async () => {
    const res = await h.control("PUT", "/connected-app", { jwtCertificate: "not a certificate" });
    assert.equal(res.status, 400);
  });

  it("lists records of a type", async () => {
    const res = await h.control("GET", "/records/Profile");
    const body = res.body as { type: string; totalSize: number; records: { Name: string }[] };
    assert.equal(body.type, "Profile");
    assert.equal(body.totalSize, 7);
  });
});

describe("faults over a socket", () => {
  it("a hanging call outlasts the client's timeout, and close does not wait for it", async () => {
    const emulator = createEmulator();
    const base = await emulator.listen(0);
    try {
      await fetch(`${base}/_emulator/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ kind: "hang", hangMs: 60_000 }),
      });
      await assert.rejects(fetch(`${base}/services/data/`, { signal: AbortSignal.timeout(200) }), {
        name: "TimeoutError",
      });
    } finally {
      await emulator.close();
    }
  });
});

describe("a slow call over a socket", () => {
  it("is carried out after its client gave up, as Salesforce finishes work nobody waits for", async () => {
    const emulator = createEmulator();
    const base = await emulator.listen(0);
    try {
      const org = (await (await fetch(`${base}/_emulator/org`)).json()) as OrgInfo;
      const token = (
        (await (
          await fetch(`${base}/services/oauth2/token`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({
              grant_type: "client_credentials",
              client_id: org.clientId,
              client_secret: org.clientSecret,
            }),
          })
        ).json()) as { access_token: string }
      ).access_token;
      await fetch(`${base}/_emulator/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ kind: "slow", hangMs: 400, method: "POST", path: "/sobjects/User" }),
      });
      await assert.rejects(
        fetch(`${base}/services/data/v66.0/sobjects/User`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(newUser(org, "slow")),
          signal: AbortSignal.timeout(100),
        }),
        { name: "TimeoutError" },
      );
      const users = async () =>
        (
          (await (
            await fetch(
              `${base}/services/data/v66.0/query?q=${encodeURIComponent("SELECT Id FROM User WHERE Username = 'userslow@test.example.com'")}`,
              { headers: { authorization: `Bearer ${token}` } },
            )
          ).json()) as { totalSize: number }
        ).totalSize;
      assert.equal(await users(), 0, "held while slow");
      for (let i = 0; i < 50 && (await users()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await users(), 1, "created although the client had given up");
    } finally {
      await emulator.close();
    }
  });
});

describe("saved state", () => {
  it("an emulator started from toJSON() has the same org, records and sessions", async () => {
    const h = await harness();
    try {
      await h.control("POST", "/fields", { object: "User", fields: [{ name: "Cost_Center__c" }] });
      const created = await h.api(
        "POST",
        "sobjects/User",
        newUser(h.info, "saved", { Cost_Center__c: "CC-1" }),
      );
      const id = (created.body as { id: string }).id;
      const snapshot = JSON.parse(JSON.stringify(h.emulator.toJSON())) as unknown;
      const restored = createEmulator({ state: snapshot, clock: () => new Date(h.now()) });
      try {
        const res = await restored.app.inject({
          method: "GET",
          url: `/services/data/v66.0/sobjects/User/${id}?fields=Username,Cost_Center__c`,
          headers: { authorization: `Bearer ${h.token}` },
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal((res.json() as Record<string, unknown>).Cost_Center__c, "CC-1");
        assert.equal(restored.org.settings.orgId, h.info.orgId);
        const dup = await restored.app.inject({
          method: "POST",
          url: "/services/data/v66.0/sobjects/User",
          headers: { authorization: `Bearer ${h.token}`, "content-type": "application/json" },
          payload: JSON.stringify(newUser(h.info, "saved")),
        });
        assert.equal(
          (dup.json() as { errorCode: string }[])[0]?.errorCode,
          "DUPLICATE_USERNAME",
          "indexes are rebuilt",
        );
      } finally {
        await restored.close();
      }
    } finally {
      await h.close();
    }
  });
});
