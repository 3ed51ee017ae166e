import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AttributeMapping } from "../../src/domain/channel.ts";
import { defaultBuiltinMapping } from "../../src/provisioning/model/channel-config.ts";
import { disableUser } from "../../src/services/directory/users.ts";
import { previewChannel, retryChannel } from "../../src/services/provisioning/channels.ts";
import {
  acme,
  type ProvisioningBench,
  staffChannel,
  staffGroup,
  startProvisioningBench,
} from "../support/provisioning.ts";
import { testActor } from "../support/service-context.ts";

/**
 * Enable Communities (spec §5.5): for each new user, the Contact with the user's email under the
 * mapped Account (or ACCOUNT_ID) is found or created, then the User is created with ContactId
 * and the community profile. Refresh Fields reads the Contact describe too.
 */
describe("communities: Contacts under Accounts, then users", () => {
  let bench: ProvisioningBench;
  let customers: string;
  let roleless: string;
  const communityProfile = "Acme Customer Community User";
  const contactMapping: AttributeMapping[] = [
    { fieldName: "Contact.LastName", saasFieldInfo: { attributeNames: ["sn"] } },
    { fieldName: "Contact.Email", saasFieldInfo: { attributeNames: ["mail"] } },
    { fieldName: "Contact.Title", saasFieldInfo: { attributeNames: ["title"] } },
    { fieldName: "Contact.Phone", saasFieldInfo: { attributeNames: ["mobile"], masked: true } },
    { fieldName: "AccountId", saasFieldInfo: { attributeNames: ["account"] } },
  ];
  const mapping = (extra: AttributeMapping[]) => [
    ...defaultBuiltinMapping().filter((m) => m.fieldName !== "ProfileId"),
    { fieldName: "ProfileId", saasFieldInfo: { defaultValue: communityProfile } },
    ...extra,
  ];
  const communities = () => ({ ENABLE_COMMUNITIES: "true", ACCOUNT_ID: customers });
  const contactsWith = (email: string) =>
    bench.query<{ Id: string; AccountId: string; LastName: string; Title: string | null }>(
      `SELECT Id, AccountId, LastName, Title FROM Contact WHERE Email = '${email}'`,
    );
  const communityUser = (uid: string) => bench.sfUser(acme(uid), ["ContactId", "ProfileId", "UserRoleId"]);

  before(async () => {
    bench = await startProvisioningBench();
    ({ "Acme Customers": customers = "", "Roleless Holdings": roleless = "" } = (
      await bench.sf.control<{ accounts: Record<string, string> }>("GET", "/org")
    ).accounts);
    await staffGroup(bench.server.context, []);
    // An internal channel first: Portico reads the User fields, not yet the Contact's.
    const saved = await bench.configure();
    assert.equal(saved.statusCode, 201, saved.body);
  });
  after(async () => bench?.dispose());

  it("refuses to turn Communities on while a required Contact field is unmapped, naming it", async () => {
    const refused = await bench.configure({
      settings: communities(),
      channels: [staffChannel({ attributeMapping: mapping([]) })],
    });
    assert.equal(refused.statusCode, 422, refused.body);
    assert.match(refused.body, /required by Salesforce and not mapped: Contact\.LastName/);
  });

  it("Refresh Fields reads the Contact describe once Communities is on", async () => {
    const saved = await bench.configure({
      settings: communities(),
      channels: [staffChannel({ attributeMapping: mapping(contactMapping) })],
    });
    assert.equal(saved.statusCode, 200, saved.body);
    const refreshed = await bench.server.request(
      "POST",
      `/provisioning/connections/${bench.connectionId}/refreshFields`,
    );
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const report = JSON.parse(refreshed.body) as { required: { Contact?: string[] } };
    assert.deepEqual(report.required.Contact, ["LastName"]);
  });

  it("creates the Contact under ACCOUNT_ID or finds the one there, then the user with its ContactId and profile", async () => {
    const [existing] = [
      await bench.sf.asAdmin<{ id: string }>("POST", "sobjects/Contact", {
        AccountId: customers,
        LastName: "Earlier",
        Email: acme("cara"),
      }),
    ];
    await bench.person("cara");
    await bench.person("cody", { title: "Buyer" });
    const report = await bench.run();
    assert.equal(report.summary.counts.CREATE, 2, JSON.stringify(await bench.events({ success: false })));

    const cara = await communityUser("cara");
    assert.equal(cara?.ContactId, existing?.id, "the Contact already under the account");
    assert.equal((await contactsWith(acme("cara"))).length, 1);
    const [codyContact, ...more] = await contactsWith(acme("cody"));
    assert.equal(more.length, 0);
    assert.equal(codyContact?.AccountId, customers);
    assert.equal(codyContact?.LastName, "Codyson");
    assert.equal(codyContact?.Title, "Buyer");
    const cody = await communityUser("cody");
    assert.equal(cody?.ContactId, codyContact?.Id);
    assert.equal(cody?.ProfileId, bench.sf.org.profiles[communityProfile]);
    assert.equal(cody?.UserRoleId, null, "customer community users have no role");
    assert.equal(cody?.IsActive, true);
  });

  it("keeps Salesforce's refusal for an account whose owner has no role, and makes no second Contact on retry", async () => {
    await bench.person("rita", { account: roleless });
    const refused = await bench.run();
    assert.equal(refused.summary.failures, 1);
    const [event] = await bench.events({ sourceId: "rita", success: false });
    assert.match(event?.cause ?? "", /portal account owner must have a role/);
    assert.equal(await communityUser("rita"), undefined);

    // The admin gives the account's owner a role in Salesforce, then retries the failed records.
    const [account] = await bench.query<{ OwnerId: string }>(
      `SELECT OwnerId FROM Account WHERE Id = '${roleless}'`,
    );
    const [role] = await bench.query<{ Id: string }>(
      "SELECT Id FROM UserRole WHERE DeveloperName = 'Sales_Rep'",
    );
    await bench.sf.asAdmin("PATCH", `sobjects/User/${account?.OwnerId}`, { UserRoleId: role?.Id });
    const retried = await retryChannel(bench.server.context, bench.connectionId, "staff");
    assert.equal(retried.summary.counts.CREATE, 1, JSON.stringify(retried.summary));
    const contacts = await contactsWith(acme("rita"));
    assert.equal(contacts.length, 1, "the Contact made before the refusal is the one used");
    assert.equal(contacts[0]?.AccountId, roleless);
    assert.equal((await communityUser("rita"))?.ContactId, contacts[0]?.Id);
  });

  it("masks a masked Contact field in the preview of a new community user", async () => {
    await bench.person("mona", { mobile: "+1 555 0123 9876" });
    const preview = await previewChannel(bench.server.context, bench.connectionId, "staff");
    const text = JSON.stringify(preview.operations);
    assert.match(text, /"Phone":"\*\*\*"/);
    assert.doesNotMatch(text, /0123/);
    const oneUser = await bench.server.request(
      "POST",
      `/provisioning/connections/${bench.connectionId}/channels/staff/preview`,
      { user: "mona" },
    );
    assert.equal(oneUser.statusCode, 200, oneUser.body);
    assert.doesNotMatch(oneUser.body, /0123/, "nor in what one user would become");
    await bench.run();
    const [contact] = await bench.query<{ Phone: string }>(
      `SELECT Phone FROM Contact WHERE Email = '${acme("mona")}'`,
    );
    assert.equal(contact?.Phone, "+1 555 0123 9876");
  });

  it("deactivates a community user and leaves it linked to its Contact", async () => {
    const before = await communityUser("cody");
    await disableUser(bench.server.context, testActor, "cody");
    assert.equal((await bench.run()).summary.counts.DEACTIVATE, 1);
    const after = await communityUser("cody");
    assert.equal(after?.IsActive, false);
    assert.equal(after?.ContactId, before?.ContactId);
  });
});
