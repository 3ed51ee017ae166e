import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AttributeMapping } from "../../src/domain/channel.ts";
import { defaultBuiltinMapping } from "../../src/provisioning/model/channel-config.ts";
import { importCsv } from "../../src/services/directory/import.ts";
import { assertProblem } from "../support/errors.ts";
import { provisioningConnection, staffChannel } from "../support/provisioning.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { testActor } from "../support/service-context.ts";

type Json = Record<string, any>;

/**
 * Expressions in a channel's mapping, against the emulated org: evaluated per user in a cycle,
 * traced by the preview, tried alone by `/provisioning/expressions/test`, and PingFederate's
 * OGNL kept on an inactive channel but refused on an active one.
 */

const alias =
  "Left(Lower(NormalizeDiacritics([givenName])), 1) & Left(Lower(NormalizeDiacritics(StripSpaces([sn]))), 7)";
const title =
  'IIF(IsPresent([hireDate]), "Since " & FormatDate([hireDate], "yyyy-MM-dd", "MM/yyyy"), [title])';

const mappingWith = (edits: Record<string, AttributeMapping["saasFieldInfo"]>): AttributeMapping[] => [
  ...defaultBuiltinMapping().filter((m) => !(m.fieldName in edits)),
  ...Object.entries(edits).map(([fieldName, saasFieldInfo]) => ({ fieldName, saasFieldInfo })),
];

describe("expressions in provisioning mappings", () => {
  let sf: SalesforceEmulator;
  let server: TestServer;
  const channelPath = "/provisioning/connections/org/channels/staff";

  const salesforceUser = async (username: string) =>
    (
      await sf.asAdmin<{ records: Json[] }>(
        "GET",
        `query?q=${encodeURIComponent(`SELECT Username, Alias, Title FROM User WHERE Username = '${username}'`)}`,
      )
    ).records[0];

  before(async () => {
    sf = await startSalesforceEmulator();
    server = await startTestServer();
    const imported = await importCsv(
      server.context,
      testActor,
      [
        "uid,mail,givenName,sn,title,hireDate,groups",
        "zoe,zoe@acme.example.com,Zoë,Van Der Ørsted,Engineer,2024-03-15,salesforce-users",
        "ada,ada@acme.example.com,Ada,Lovelace,Analyst,,salesforce-users",
        "bad,bad@acme.example.com,Bad,Date,Clerk,2024-13-01,salesforce-users",
      ].join("\n"),
    );
    assert.equal(imported.imported, 3);
    const channel = staffChannel({
      attributeMapping: mappingWith({
        Alias: { attributeNames: ["givenName", "sn"], expression: alias, createOnly: true },
        Title: { expression: title },
      }),
    });
    const saved = await server.request(
      "POST",
      "/idp/spConnections",
      provisioningConnection(sf, "org", [channel]),
    );
    assert.equal(saved.statusCode, 201, saved.body);
  });
  after(async () => {
    await server?.dispose();
    await sf?.close();
  });

  it("the preview of one user traces each field: sources, expression, steps and value", async () => {
    const preview = await server.request("POST", `${channelPath}/preview`, { user: "zoe" });
    assert.equal(preview.statusCode, 200, preview.body);
    const steps = preview.json().steps as Json[];
    assert.deepEqual(
      steps.map((s) => s.step),
      ["read", "trace", "map", "match", "plan"],
    );
    const fields = steps[1]?.detail.fields as Json[];
    const aliasTrace = fields.find((f) => f.field === "Alias");
    assert.deepEqual(aliasTrace?.sources, [
      { attribute: "givenName", values: ["Zoë"] },
      { attribute: "sn", values: ["Van Der Ørsted"] },
    ]);
    assert.equal(aliasTrace?.expression, alias);
    assert.deepEqual(aliasTrace?.expressionResult, ["zvandero"]);
    assert.equal(aliasTrace?.value, "zvandero");
    const username = fields.find((f) => f.field === "Username");
    assert.deepEqual(username?.steps, [{ step: "trim", value: "zoe@acme.example.com" }]);
    assert.equal(steps[2]?.detail.user.Title, "Since 03/2024");
  });

  it("a cycle pushes what the expressions make; a user one fails for is not created and says why", async () => {
    const run = await server.request("POST", `${channelPath}/run`, { wait: true });
    assert.equal(run.statusCode, 200, run.body);
    assert.equal(run.json().summary.failures, 1);
    assert.deepEqual(await salesforceUser("zoe@acme.example.com"), {
      ...(await salesforceUser("zoe@acme.example.com")),
      Alias: "zvandero",
      Title: "Since 03/2024",
    });
    const ada = await salesforceUser("ada@acme.example.com");
    assert.equal(ada?.Alias, "alovelac");
    assert.equal(ada?.Title, "Analyst");
    assert.equal(await salesforceUser("bad@acme.example.com"), undefined);
    const events = await server.request("GET", "/provisioning/events?user=bad&success=false");
    assert.equal(events.statusCode, 200, events.body);
    const [event] = events.json().items as Json[];
    assert.match(
      String(event?.cause),
      /^EXPR_ARGUMENT_INVALID: Title: FormatDate: "2024-13-01" is not a real date and time at line 1, column 39/,
    );
  });

  it("tries one expression on one directory user, showing the attributes it read", async () => {
    const tried = await server.request("POST", "/provisioning/expressions/test", {
      expression: 'Join(" | ", Upper([memberOf]), [givenName], [nickname])',
      subject: "ZOE",
    });
    assert.equal(tried.statusCode, 200, tried.body);
    assert.deepEqual(tried.json(), {
      expression: 'Join(" | ", Upper([memberOf]), [givenName], [nickname])',
      subject: "zoe",
      sources: [
        { attribute: "memberOf", values: ["salesforce-users"] },
        { attribute: "givenName", values: ["Zoë"] },
        { attribute: "nickname", values: [] },
      ],
      values: ["SALESFORCE-USERS | Zoë"],
      steps: tried.json().steps,
    });
    assert.ok(tried.json().steps > 0);
  });

  it("refuses what it cannot evaluate with the expression's code and position", async () => {
    const syntax = await server.request("POST", "/provisioning/expressions/test", {
      expression: "#this.get('uid')",
      subject: "zoe",
    });
    assert.match(
      assertProblem(syntax, "EXPR_SYNTAX", 422).detail,
      /^expression: unexpected character "#" .* at line 1, column 1\n#this\.get\('uid'\)\n\^$/,
    );
    const failing = await server.request("POST", "/provisioning/expressions/test", {
      expression: title,
      subject: "bad",
    });
    assertProblem(failing, "EXPR_ARGUMENT_INVALID", 422);
    const nobody = await server.request("POST", "/provisioning/expressions/test", {
      expression: "[uid]",
      subject: "nobody",
    });
    assertProblem(nobody, "DIR_USER_NOT_FOUND", 404);
  });

  it("keeps PingFederate's OGNL on an inactive channel and refuses it on an active one, with the position", async () => {
    const ognl =
      '#result=#this.get("sAMAccountName").toString(), #result.length() > 8 ? #result.substring(0,8) : #result';
    const document = (await server.request("GET", "/idp/spConnections/org")).json() as Json;
    const withOgnl = (active: boolean) => {
      const copy = structuredClone(document);
      copy.outboundProvision.channels = [
        staffChannel({
          active,
          attributeMapping: mappingWith({ Alias: { attributeNames: ["sAMAccountName"], expression: ognl } }),
        }),
      ];
      return copy;
    };
    const kept = await server.request("PUT", "/idp/spConnections/org", withOgnl(false));
    assert.equal(kept.statusCode, 200, kept.body);
    const stored = (await server.request("GET", "/idp/spConnections/org")).json() as Json;
    const aliasRule = stored.outboundProvision.channels[0].attributeMapping.find(
      (m: Json) => m.fieldName === "Alias",
    );
    assert.equal(aliasRule.saasFieldInfo.expression, ognl, "stored as sent");

    const refused = await server.request("PUT", "/idp/spConnections/org", withOgnl(true));
    assert.equal(refused.statusCode, 422, refused.body);
    assert.match(
      refused.json().detail,
      /outboundProvision\.channels\[0\]\.attributeMapping\[\d+\]\.saasFieldInfo\.expression: Alias: EXPR_SYNTAX unexpected character "#" \(a PingFederate OGNL expression\? .*\) at line 1, column 1; the channel cannot be active until the expression is rewritten/,
    );
  });
});
