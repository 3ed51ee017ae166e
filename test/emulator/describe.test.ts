import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { firstError, type Harness, harness } from "./support.ts";

/** Versions, describe and limits (salesforce-api.md §2.1, §2.5, §2.9). */

type Field = Record<string, unknown> & { name: string };

const objects: [name: string, keyPrefix: string, createable: boolean, deletable: boolean][] = [
  ["User", "005", true, false],
  ["Contact", "003", true, true],
  ["Account", "001", true, true],
  ["Profile", "00e", false, false],
  ["UserRole", "00E", true, true],
  ["PermissionSet", "0PS", true, true],
  ["PermissionSetAssignment", "0Pa", true, true],
  ["Group", "00G", true, true],
  ["GroupMember", "011", true, true],
  ["UserLogin", "060", false, false],
  ["Organization", "00D", false, false],
];

/** Field metadata a provisioning client relies on: [field, property, expected]. */
const userFields: [string, string, unknown][] = [
  ["Username", "length", 80],
  ["Username", "unique", true],
  ["Username", "nillable", false],
  // Username, Federation ID and Email are idLookup fields: upsert and external-id GETs take them.
  ["Username", "idLookup", true],
  ["FederationIdentifier", "idLookup", true],
  ["Email", "idLookup", true],
  ["Alias", "length", 8],
  ["CommunityNickname", "defaultedOnCreate", true],
  ["FederationIdentifier", "length", 512],
  ["FederationIdentifier", "label", "SAML Federation ID"],
  ["ProfileId", "type", "reference"],
  ["ProfileId", "referenceTo", ["Profile"]],
  ["ProfileId", "relationshipName", "Profile"],
  ["ContactId", "updateable", false],
  ["AccountId", "createable", false],
  ["IsActive", "type", "boolean"],
  ["IsActive", "defaultedOnCreate", true],
  ["TimeZoneSidKey", "type", "picklist"],
  ["TimeZoneSidKey", "restrictedPicklist", true],
  ["Email", "type", "email"],
  ["Id", "type", "id"],
  ["Id", "createable", false],
];

describe("REST surface", () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(async () => {
    await h.close();
  });

  it("lists versions up to v66.0 without a session or a limit header", async () => {
    const res = await h.api("GET", "/services/data/", undefined, { authorization: "" });
    assert.equal(res.status, 200);
    const versions = res.body as { label: string; url: string; version: string }[];
    assert.deepEqual(versions.at(-1), { label: "Spring '26", url: "/services/data/v66.0", version: "66.0" });
    assert.deepEqual(versions.at(-2)?.label, "Winter '26");
    assert.equal(versions[0]?.version, "31.0");
    assert.equal(res.headers["sforce-limit-info"], undefined);
  });

  const versionCases: [path: string, status: number, errorCode: string][] = [
    ["/services/data/v67.0/limits", 404, "NOT_FOUND"],
    ["/services/data/v66/limits", 404, "NOT_FOUND"],
    ["/services/data/v20.0/limits", 410, "API_VERSION_RETIRED"],
    ["/services/data/v66.0/nope", 404, "NOT_FOUND"],
  ];
  for (const [path, status, errorCode] of versionCases) {
    it(`answers ${path} with ${status}`, async () => {
      const res = await h.api("GET", path);
      assert.equal(res.status, status);
      assert.equal(firstError(res.body).errorCode, errorCode);
    });
  }

  for (const [name, keyPrefix, createable, deletable] of objects) {
    it(`describes ${name}`, async () => {
      const res = await h.api("GET", `sobjects/${name}/describe`);
      assert.equal(res.status, 200);
      const d = res.body as Record<string, unknown> & { fields: Field[] };
      assert.deepEqual(
        [d.name, d.keyPrefix, d.createable, d.deletable, d.queryable],
        [name, keyPrefix, createable, deletable, true],
      );
      const id = d.fields.find((f) => f.name === "Id");
      assert.equal(id?.type, "id");
      for (const f of d.fields) {
        for (const key of [
          "label",
          "type",
          "length",
          "nillable",
          "createable",
          "updateable",
          "defaultedOnCreate",
          "custom",
          "picklistValues",
          "soapType",
        ]) {
          assert.ok(key in f, `${name}.${f.name} has ${key}`);
        }
      }
    });
  }

  it("User's describe carries the metadata a connector needs", async () => {
    const d = (await h.api("GET", "sobjects/user/describe")).body as { fields: Field[] };
    for (const [field, property, expected] of userFields) {
      const f = d.fields.find((x) => x.name === field);
      assert.deepEqual(f?.[property], expected, `${field}.${property}`);
    }
    for (const picklist of ["TimeZoneSidKey", "LocaleSidKey", "EmailEncodingKey", "LanguageLocaleKey"]) {
      const values = d.fields.find((x) => x.name === picklist)?.picklistValues as {
        value: string;
        label: string;
        active: boolean;
      }[];
      assert.ok(values.length >= 10, `${picklist} lists its values`);
      assert.ok(values.every((v) => v.active && typeof v.label === "string"));
    }
    const zones = d.fields.find((x) => x.name === "TimeZoneSidKey")?.picklistValues as {
      value: string;
      label: string;
    }[];
    assert.ok(
      zones.some(
        (z) =>
          z.value === "America/Los_Angeles" &&
          z.label === "(GMT-08:00) Pacific Standard Time (America/Los_Angeles)",
      ),
    );
  });

  it("the global describe lists every object", async () => {
    const res = await h.api("GET", "sobjects");
    const body = res.body as { encoding: string; maxBatchSize: number; sobjects: { name: string }[] };
    assert.equal(body.maxBatchSize, 200);
    for (const [name] of objects)
      assert.ok(
        body.sobjects.some((s) => s.name === name),
        name,
      );
  });

  it("limits report the daily quota the header counts", async () => {
    const res = await h.api("GET", "limits");
    const used = Number(/api-usage=(\d+)\/(\d+)/.exec(String(res.headers["sforce-limit-info"]))?.[1]);
    const limits = res.body as { DailyApiRequests: { Max: number; Remaining: number } };
    assert.equal(limits.DailyApiRequests.Max, 100_000);
    assert.equal(limits.DailyApiRequests.Remaining, 100_000 - used);
  });

  it("a method a resource does not take", async () => {
    const res = await h.api("PUT", "limits", {});
    assert.equal(res.status, 405);
    assert.equal(firstError(res.body).errorCode, "METHOD_NOT_ALLOWED");
  });
});
