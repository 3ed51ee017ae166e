import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runPortico } from "./support/cli.ts";
import { orgState } from "./support/ldap-channel.ts";
import { type ProvisioningBench, startProvisioningBench } from "./support/provisioning.ts";
import { codeBlocks, commandBlockWith, readmeSection } from "./support/readme.ts";
import { adServicePassword, type SambaDc, startSambaDc } from "./support/samba.ts";
import { adminPassword } from "./support/server.ts";
import { browserInject, cookieJar, readPostForm } from "./support/sso.ts";

/**
 * The README's "Connect Active Directory", block by block, as written, against a real domain
 * controller (Samba's AD DC, whose domain is the README's corp.example.com): only the host
 * names, the CA and the service account's password are replaced. Then a person signs in through
 * the form, the attribute source fills the assertion, and the channel provisions the org. Also the
 * AD data store the CLI creates in "Connect an LDAP directory".
 */

type Json = Record<string, unknown>;
const api = "/pf-admin-api/v1";
const section = readmeSection("Connect Active Directory");
const jsonBlocks = codeBlocks(section, "json");

/** A block that starts with `METHOD /pf-admin-api/v1/…`: the request it documents. */
const requestBlock = (method: string, path: string) => {
  const block = jsonBlocks.find((b) => b.startsWith(`${method} ${api}${path}\n`));
  assert.ok(block, `the section shows ${method} ${api}${path}`);
  return JSON.parse(block.slice(block.indexOf("\n") + 1)) as Json;
};
/** The block without a request line that holds `text`. */
const fragmentWith = (text: string) => {
  const block = jsonBlocks.find((b) => b.startsWith("{") && b.includes(text));
  assert.ok(block, `the section has a JSON block with ${text}`);
  return JSON.parse(block) as Json;
};
/** The `npx portico …` commands of the section's command block that holds `text`. */
const porticoCommands = (text: string, within = section) =>
  commandBlockWith(text, within).map((words) => {
    assert.deepEqual(words.slice(0, 2), ["npx", "portico"]);
    return words.slice(2);
  });

describe("the README's Active Directory section, against Samba's AD DC", () => {
  let dc: SambaDc;
  let bench: ProvisioningBench;
  let adminUrl: string;
  const dir = mkdtempSync(join(tmpdir(), "portico-readme-ad-"));
  const portico = (argv: readonly string[], stdin?: string) =>
    runPortico(argv, {
      cwd: dir,
      env: { PORTICO_ADMIN_URL: adminUrl, PORTICO_ADMIN_PASSWORD: adminPassword },
      ...(stdin === undefined ? {} : { stdin }),
    });
  const call = async (method: "GET" | "POST" | "PUT", path: string, body?: unknown) => {
    const response = await bench.server.request(method, path, body);
    assert.ok(response.statusCode < 300, `${method} ${path}: ${response.body}`);
    return response.json() as Json;
  };

  before(async () => {
    dc = await startSambaDc();
    bench = await startProvisioningBench("sfprod");
    adminUrl = await bench.server.adminApp.listen({ port: 0, host: "127.0.0.1" });
    // The SP connection the section adds to, with no channel yet.
    const created = await bench.configure({ channels: [] });
    assert.ok(created.statusCode < 300, created.body);
  });
  after(async () => {
    await bench?.dispose();
    await dc?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates an AD store with the CLI, as 'Connect an LDAP directory' shows", async () => {
    const [create, test] = commandBlockWith("datastores create", readmeSection("Connect an LDAP directory"));
    // `printf '%s\n' "$BIND_PASSWORD" | npx portico datastores create …`: the password on stdin.
    const pipe = create?.indexOf("|") ?? -1;
    assert.deepEqual(create?.slice(pipe + 1, pipe + 3), ["npx", "portico"]);
    const argv = (create ?? [])
      .slice(pipe + 3)
      .map((word) => word.replace(/^dc[12]\.corp\.example\.com$/, dc.address));
    writeFileSync(join(dir, argv[argv.indexOf("--ca-file") + 1] ?? ""), dc.caPem);
    const created = await portico(argv, `${adServicePassword}\n`);
    assert.equal(created.code, 0, created.stderr);
    const id = /LDAP-[\w-]+/.exec(created.stdout)?.[0];
    assert.ok(id, created.stdout);
    assert.deepEqual(test?.slice(0, 4), ["npx", "portico", "datastores", "test"]);
    const tested = await portico((test ?? []).slice(2).map((word) => (word === "LDAP-…" ? id : word)));
    assert.equal(tested.code, 0, tested.stderr);
    // Out of the way of the section's store, which has the same name.
    assert.equal((await bench.server.request("DELETE", `/dataStores/${id}`)).statusCode, 204);
  });

  it("creates the data store from the section's JSON, and the CLI tests it stage by stage", async () => {
    const document = requestBlock("POST", "/dataStores");
    assert.deepEqual(document.hostnames, ["dc1.corp.example.com:636", "dc2.corp.example.com:636"]);
    assert.deepEqual(document.trustedCAs, [
      "-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\n",
    ]);
    assert.equal(document.password, "…");
    await call("POST", "/dataStores", {
      ...document,
      hostnames: [dc.hostname, dc.hostname],
      trustedCAs: [dc.caPem],
      password: adServicePassword,
    });
    const [test] = porticoCommands("datastores test corp-ad");
    const tested = await portico(test ?? []);
    assert.equal(tested.code, 0, tested.stderr);
    assert.match(tested.stdout, /DNS.*TCP.*TLS.*BIND.*SEARCH/s);
  });

  const jar = cookieJar();
  const signIn = async (username: string, password: string) => {
    const page = await browserInject(bench.server.runtimeApp, jar, {
      method: "GET",
      url: `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent("https://sfprod.my.salesforce.com")}`,
    });
    const { resume } = readPostForm(page.body);
    if (!resume) return page;
    return browserInject(bench.server.runtimeApp, jar, {
      method: "POST",
      url: "/idp/login",
      form: { resume, username, password },
    });
  };
  const attributeValue = (html: string, name: string) => {
    const xml = Buffer.from(readPostForm(html).samlResponse ?? "", "base64").toString("utf8");
    return new RegExp(`Name="${name}"[^>]*>\\s*<saml:AttributeValue[^>]*>([^<]*)<`).exec(xml)?.[1];
  };

  it("signs an AD user in through the validator and the form the section configures", async () => {
    await call(
      "POST",
      "/passwordCredentialValidators",
      requestBlock("POST", "/passwordCredentialValidators"),
    );
    await call("PUT", "/idp/adapters/htmlform", requestBlock("PUT", "/idp/adapters/htmlform"));
    const wrong = await signIn("ada", "Not-Her-Passw0rd!");
    assert.equal(wrong.statusCode, 401, wrong.body);
    const posted = await signIn("ada", "Ada-Passw0rd!");
    assert.equal(posted.statusCode, 200, posted.body);
    const xml = Buffer.from(readPostForm(posted.body).samlResponse ?? "", "base64").toString("utf8");
    assert.match(xml, /<saml:NameID[^>]*>ada@example\.com<\/saml:NameID>/);
  });

  it("fills the assertion from the attribute source the section adds to the connection", async () => {
    const fragment = fragmentWith('"attributeSources"') as {
      spBrowserSso: { attributeContract: { extendedAttributes: Json[] }; adapterMappings: Json[] };
    };
    const connection = (await call("GET", "/idp/spConnections/sfprod")) as {
      spBrowserSso: { attributeContract: { extendedAttributes: Json[] }; adapterMappings: Json[] };
    };
    const sso = connection.spBrowserSso;
    const [mapping] = sso.adapterMappings;
    const [added] = fragment.spBrowserSso.adapterMappings;
    sso.attributeContract.extendedAttributes.push(
      ...fragment.spBrowserSso.attributeContract.extendedAttributes,
    );
    sso.adapterMappings = [
      {
        ...mapping,
        attributeSources: added?.attributeSources,
        attributeContractFulfillment: {
          ...(mapping?.attributeContractFulfillment as Json),
          ...(added?.attributeContractFulfillment as Json),
        },
      },
    ];
    await call("PUT", "/idp/spConnections/sfprod", connection);
    const page = await signIn("ada", "Ada-Passw0rd!");
    assert.equal(attributeValue(page.body, "title"), "Countess");
    assert.equal(attributeValue(page.body, "objectGUID"), await dc.guidOf("ada"));
  });

  it("provisions the org through the section's channel, with the preset's mapping, by the CLI", async () => {
    const channel = fragmentWith('"channelSource"');
    const mapping = await call("GET", "/provisioning/defaultMapping?dataStore=corp-ad");
    const connection = (await call("GET", "/idp/spConnections/sfprod")) as {
      outboundProvision: { channels: Json[] };
    };
    connection.outboundProvision.channels = [{ ...channel, attributeMapping: mapping.attributeMapping }];
    await call("PUT", "/idp/spConnections/sfprod", connection);
    const [preview, run] = porticoCommands("provision run");
    const previewed = await portico(preview ?? []);
    assert.equal(previewed.code, 0, previewed.stderr);
    assert.match(previewed.stdout, /ada@example\.com/);
    const ran = await portico(run ?? []);
    assert.equal(ran.code, 0, `${ran.stdout}\n${ran.stderr}`);
    assert.deepEqual(await orgState(bench, ["ada", "bob", "carol", "dave", "erin"]), {
      ada: true,
      bob: true,
      carol: true,
      dave: true,
      erin: "absent",
    });
    const [group] = await bench.query<{ Id: string }>("SELECT Id FROM Group WHERE Name = 'SF-Sales'");
    assert.ok(group, "SF-Sales is a public group");
    const members = await bench.query<{ UserOrGroupId: string }>(
      `SELECT UserOrGroupId FROM GroupMember WHERE GroupId = '${group.Id}'`,
    );
    const ids = await Promise.all(
      ["ada", "carol"].map(async (u) => (await bench.sfUser(`${u}@example.com`))?.Id),
    );
    assert.deepEqual(members.map((m) => m.UserOrGroupId).sort(), ids.sort());
  });
});
