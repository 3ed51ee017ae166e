import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { updateUser } from "../../src/services/directory/users.ts";
import { assertProblem } from "../support/errors.ts";
import { acmeUsers, addAuditor, addStaff, provisioningConnection } from "../support/provisioning.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { adminPassword, api, basicAuth, startTestServer, type TestServer } from "../support/server.ts";
import { testActor } from "../support/service-context.ts";

type Json = Record<string, any>;

/** `/provisioning/channels` and the actions on one channel, against the emulated org. */
describe("the provisioning channels on the admin API", () => {
  let sf: SalesforceEmulator;
  let server: TestServer;
  const channelPath = "/provisioning/connections/org/channels/staff";
  let auditor: string;

  const channels = async (): Promise<Json[]> => {
    const response = await server.request("GET", "/provisioning/channels");
    assert.equal(response.statusCode, 200, response.body);
    return response.json().items;
  };
  const staff = async () => (await channels()).find((c) => c.channelName === "staff") as Json;
  const post = (action: string, body?: unknown, options: { auth?: string } = {}) =>
    server.request("POST", `${channelPath}/${action}`, body, options);
  const eventCount = async () =>
    (await server.context.store.provisioning.listEvents({ filter: {}, limit: 100_000 })).length;
  const auditActions = async () =>
    (await server.context.store.auditLog.list({ limit: 1000 })).map((e) => e.action);

  before(async () => {
    sf = await startSalesforceEmulator();
    server = await startTestServer();
    await addStaff(server.context, "u", 3);
    const saved = await server.request("POST", "/idp/spConnections", provisioningConnection(sf, "org"));
    assert.equal(saved.statusCode, 201, saved.body);
    auditor = await addAuditor(server);
  });
  after(async () => {
    await server?.dispose();
    await sf?.close();
  });

  it("lists every channel with its state, before it ever ran", async () => {
    const channel = await staff();
    assert.equal(channel.connectionId, "org");
    assert.equal(channel.active, true);
    assert.equal(channel.state, "NEVER_RUN");
    assert.equal(channel.running, false);
    assert.equal(channel.progress, null);
    assert.equal(channel.lastError, null);
    assert.equal(channel.watermark, null);
    assert.equal(channel.users.ACTIVE, 0);
    const forAuditor = await server.request("GET", "/provisioning/channels", undefined, { auth: auditor });
    assert.equal(forAuditor.statusCode, 200, "auditors may look");
  });

  it("previews the plan field by field, writing nothing to Salesforce or to the channel's state", async () => {
    await sf.clearRequests();
    const preview = await post("preview", {});
    assert.equal(preview.statusCode, 200, preview.body);
    const plan = preview.json();
    assert.equal(plan.kind, "full");
    assert.deepEqual(plan.counts, { CREATE: 3 });
    assert.equal(plan.total, 3);
    const first = plan.operations.find((op: Json) => op.sourceId === "u1");
    assert.equal(first.type, "CREATE");
    assert.equal(first.fields.Username, "u1@acme.example.com");
    assert.equal(first.fields.LastName, "Number1");

    const limited = (await post("preview", { limit: 1 })).json();
    assert.equal(limited.operations.length, 1);
    assert.equal(limited.total, 3, "all are counted");
    const one = (await post("preview", { user: "u2" })).json();
    assert.equal(one.kind, "user");
    assert.deepEqual(
      one.steps.map((s: Json) => s.step),
      ["read", "trace", "map", "match", "plan"],
    );
    const usernameTrace = one.steps[1].detail.fields.find((f: Json) => f.field === "Username");
    assert.deepEqual(usernameTrace.sources, [{ attribute: "mail", values: ["u2@acme.example.com"] }]);
    assert.equal(one.steps[2].detail.user.Username, "u2@acme.example.com");

    const writes = (await sf.requests("/services/data")).filter((r) => r.method !== "GET");
    assert.deepEqual(writes, [], "only reads reached Salesforce");
    assert.deepEqual(await acmeUsers(sf), []);
    assert.equal(await server.context.store.provisioning.getChannel("org", "staff"), undefined);
    assert.equal(await eventCount(), 0);
    assert.equal((await staff()).state, "NEVER_RUN");
  });

  it("run with wait answers when the cycle ends, with its summary, and the channel shows it", async () => {
    const run = await post("run", { wait: true });
    assert.equal(run.statusCode, 200, run.body);
    const { summary, state } = run.json();
    assert.equal(summary.kind, "full");
    assert.deepEqual(summary.counts, { CREATE: 3 });
    assert.equal(summary.failures, 0);
    assert.equal(state.status, "IDLE");
    assert.equal((await acmeUsers(sf)).length, 3);

    const channel = await staff();
    assert.equal(channel.state, "IDLE");
    assert.equal(channel.lastCycle.cycleId, summary.cycleId);
    assert.equal(channel.users.ACTIVE, 3);
    assert.notEqual(channel.watermark, null);
    assert.ok((await auditActions()).includes("provisioning.channel.run"));
  });

  it("run without wait answers 202 at once, and the cycle runs in the background", async () => {
    await addStaff(server.context, "v", 1);
    const accepted = await post("run");
    assert.equal(accepted.statusCode, 202, accepted.body);
    assert.deepEqual(accepted.json(), { accepted: true });
    let channel = await staff();
    for (let i = 0; i < 200 && (channel.running || channel.users.ACTIVE < 4); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      channel = await staff();
    }
    assert.equal(channel.running, false);
    assert.deepEqual(channel.lastCycle.counts, { CREATE: 1 });
    assert.ok((await acmeUsers(sf)).some((u) => u.Username === "v1@acme.example.com"));
  });

  it("shows why a background run failed, logs it, and forgets it once a run succeeds", async () => {
    // The org's field list as if Title had been deleted in Salesforce: the mapping no longer fits.
    const repo = server.context.store.provisioning;
    const stored = await repo.getFieldSpecs("org");
    const specs = stored?.specs as { User: { name: string }[] };
    await repo.putFieldSpecs("org", "2026-11-28T00:00:00.000Z", {
      ...specs,
      User: specs.User.filter((f) => f.name !== "Title"),
    });
    const accepted = await post("run", { wait: false });
    assert.equal(accepted.statusCode, 202);
    let channel = await staff();
    for (let i = 0; i < 200 && channel.lastError === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      channel = await staff();
    }
    assert.equal(channel.lastError?.code, "PROV_CONFIG_INVALID");
    assert.match(channel.lastError?.message, /Title/);
    assert.match(server.logs(), /"code":"PROV_CONFIG_INVALID".*"msg":"provisioning cycle failed"/);
    const waited = await post("run", { wait: true });
    assert.equal(waited.statusCode, 422, "a waited-for run answers the error itself");

    assert.equal(
      (await server.request("POST", "/provisioning/connections/org/refreshFields")).statusCode,
      200,
    );
    assert.equal((await post("run", { wait: true })).statusCode, 200);
    assert.equal((await staff()).lastError, null);
  });

  it("refuses unknown connections and channels, auditors and bad bodies, and changes nothing", async () => {
    const events = await eventCount();
    const state = await server.context.store.provisioning.getChannel("org", "staff");
    const actions: [string, unknown][] = [
      ["run", { wait: false }],
      ["retry", {}],
      ["preview", {}],
      ["provisionUser", { user: "u1" }],
      ["reset", undefined],
      ["confirm", undefined],
    ];
    for (const [action, body] of actions) {
      const noConnection = await server.request(
        "POST",
        `/provisioning/connections/nope/channels/staff/${action}`,
        body,
      );
      assertProblem(noConnection, "CONN_NOT_FOUND");
      const noChannel = await server.request(
        "POST",
        `/provisioning/connections/org/channels/nope/${action}`,
        body,
      );
      assertProblem(noChannel, "PROV_CHANNEL_NOT_FOUND");
      assert.match(noChannel.json().detail, /has no channel "nope" \(it has "staff"\)/);
      const byAuditor = await post(action, body, { auth: auditor });
      assertProblem(byAuditor, "AUTH_FORBIDDEN");
    }
    const bad: [string, unknown, string][] = [
      ["run", { wait: "yes" }, "wait"],
      ["run", { fast: true }, "fast"],
      ["retry", { full: true }, "full"],
      ["preview", { limit: 0 }, "limit"],
      ["provisionUser", {}, "user"],
    ];
    for (const [action, body, field] of bad) {
      const response = await post(action, body);
      assertProblem(response, "REQ_VALIDATION");
      assert.ok(
        response.json().errors.some((e: Json) => e.field === field),
        `${action}: ${response.body}`,
      );
    }
    const noXsrf = await server.adminApp.inject({
      method: "POST",
      url: `${api}${channelPath}/run`,
      headers: { authorization: basicAuth("admin", adminPassword), "content-type": "application/json" },
      payload: JSON.stringify({ wait: true }),
    });
    assertProblem(noXsrf, "REQ_XSRF_HEADER_MISSING");
    assert.equal(await eventCount(), events);
    assert.deepEqual(await server.context.store.provisioning.getChannel("org", "staff"), state);
  });

  it("provisionUser provisions one user now, showing each step, and never returns pushed values", async () => {
    await addStaff(server.context, "w", 1);
    const response = await post("provisionUser", { user: "w1" });
    assert.equal(response.statusCode, 200, response.body);
    const { steps, state } = response.json();
    assert.deepEqual(
      steps.map((s: Json) => s.step),
      ["read", "map", "match", "plan", "apply", "record"],
    );
    assert.equal(steps[4].detail.outcomes[0].type, "CREATE");
    assert.equal(steps[4].detail.outcomes[0].success, true);
    assert.equal(state.status, "ACTIVE");
    const created = (await acmeUsers(sf)).find((u) => u.Username === "w1@acme.example.com");
    assert.equal(state.targetId, created?.Id);
    assert.equal("pushed" in state, false);
    assert.ok((await auditActions()).includes("provisioning.user.provision"));

    const unknown = (await post("provisionUser", { user: "nobody" })).json();
    assert.deepEqual(unknown.steps[0].detail, { sourceId: "nobody", found: false });
    assert.equal(unknown.state, null);
  });

  it("retry tries failed users again; a plain run does not while their source is unchanged", async () => {
    await addStaff(server.context, "x", 1);
    await updateUser(server.context, testActor, "x1", { attributes: { title: "t".repeat(200) } });
    const failed = (await post("run", { wait: true })).json();
    assert.equal(failed.summary.failures, 1, JSON.stringify(failed));
    const again = (await post("run", { wait: true })).json();
    assert.equal(again.summary.failures, 0);
    const retried = await post("retry", { wait: true });
    assert.equal(retried.statusCode, 200, retried.body);
    assert.equal(retried.json().summary.failures, 1, "tried again, and Salesforce refused it again");
    assert.equal((await staff()).users.FAILED, 1);
    assert.ok((await auditActions()).includes("provisioning.channel.retry"));
    await updateUser(server.context, testActor, "x1", { attributes: { title: "Engineer" } });
    assert.equal((await post("run", { wait: true })).json().summary.counts.CREATE, 1);
  });

  it("holds mass deactivations until confirmed: the channel says it waits, and confirm lets them through", async () => {
    const notHeld = await post("confirm");
    assertProblem(notHeld, "PROV_CONFIG_INVALID");
    assert.match(notHeld.json().detail, /holds no deactivations/);

    const settings = await server.request("PUT", "/serverSettings/outboundProvisioning", {
      synchronizationFrequency: 60,
      fullSynchronizationFrequency: 3600,
      deprovisionHold: { minimum: 1, percent: 0 },
    });
    assert.equal(settings.statusCode, 200, settings.body);
    for (const uid of ["u1", "u2", "u3"])
      await updateUser(server.context, testActor, uid, { enabled: false });
    const held = (await post("run", { wait: true })).json();
    assert.equal(held.state.status, "HELD");
    const channel = await staff();
    assert.equal(channel.state, "HELD");
    assert.match(channel.stateReason, /held.*confirm/);

    const confirmed = await post("confirm");
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().state.status, "IDLE");
    const inactive = (await acmeUsers(sf)).filter((u) => !u.IsActive).map((u) => u.Username);
    assert.deepEqual(inactive.sort(), ["u1@acme.example.com", "u2@acme.example.com", "u3@acme.example.com"]);
    assert.ok((await auditActions()).includes("provisioning.channel.confirm"));
  });

  it("reset forgets the channel's state; the next cycle adopts the users it had", async () => {
    const reset = await post("reset");
    assert.equal(reset.statusCode, 204, reset.body);
    const channel = await staff();
    assert.equal(channel.state, "NEVER_RUN");
    assert.equal(channel.watermark, null);
    assert.equal(channel.users.ACTIVE + channel.users.INACTIVE, 0);
    assert.ok((await auditActions()).includes("provisioning.channel.reset"));
    const again = (await post("run", { wait: true })).json();
    assert.equal(again.summary.counts.CREATE ?? 0, 0, "nobody is created twice");
    assert.ok(again.summary.counts.ADOPT >= 5, JSON.stringify(again.summary));
  });
});

describe("a long cycle's progress on /provisioning/channels", () => {
  let sf: SalesforceEmulator;
  let server: TestServer;

  before(async () => {
    sf = await startSalesforceEmulator();
    server = await startTestServer();
    // Three pages of users (the engine applies 500 at a time), so the run reports twice before it ends.
    await addStaff(server.context, "p", 1100);
    const saved = await server.request("POST", "/idp/spConnections", provisioningConnection(sf, "org"));
    assert.equal(saved.statusCode, 201, saved.body);
    await sf.control("POST", "/faults", { latencyMs: 40 });
  });
  after(async () => {
    await server?.dispose();
    await sf?.close();
  });

  it("shows the counts so far while the run is in flight, and nothing once it ended", async () => {
    const run = server.request("POST", "/provisioning/connections/org/channels/staff/run", { wait: true });
    let ended = false;
    void run.then(() => {
      ended = true;
    });
    const seen: Json[] = [];
    while (!ended) {
      const [channel] = (await server.request("GET", "/provisioning/channels")).json().items;
      if (channel.running && channel.progress?.counts.CREATE > 0) seen.push(channel.progress);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const response = await run;
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().summary.counts.CREATE, 1100);
    assert.ok(seen.length > 0, "progress was visible during the run");
    assert.ok(
      seen.every((p) => p.counts.CREATE < 1100 && p.counts.CREATE % 150 === 0),
      JSON.stringify(seen.map((p) => p.counts)),
    );
    const [after] = (await server.request("GET", "/provisioning/channels")).json().items;
    assert.equal(after.running, false);
    assert.equal(after.progress, null);
    assert.equal(after.users.ACTIVE, 1100);
  });
});
