import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fixedClock } from "../../src/lib/clock.ts";
import { logoutRequestXml, logoutResponseXml, postFields } from "../support/saml-requests.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { createSalesforceConnection, spEntityId } from "../support/sso.ts";

/** The runtime's error pages say in words what went wrong, and whether it was a sign-in or a sign-out. */

const now = new Date("2030-01-01T10:00:00Z");
const profileNames = /IDP_INITIATED_SSO|SP_INITIATED_SSO|IDP_INITIATED_SLO|SP_INITIATED_SLO/;

describe("runtime error pages", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ clock: fixedClock(now.toISOString()) });
    // Salesforce's metadata has an SLO endpoint, but this connection allows neither kind of logout.
    await createSalesforceConnection(server, (c) => {
      if (c.spBrowserSso) c.spBrowserSso.enabledProfiles = ["SP_INITIATED_SSO"];
    });
  });
  after(() => server.dispose());

  const post = (url: string, fields: Record<string, string>) =>
    server.runtimeApp.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams(fields).toString(),
    });
  const heading = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1];

  it("refuses a logout the application started, in words, on a sign-out page", async () => {
    const response = await post(
      "/idp/SLO.saml2",
      postFields({ xml: logoutRequestXml({ issueInstant: now }) }),
    );
    assert.equal(response.statusCode, 403, response.body);
    assert.equal(heading(response.body), "Sign-out not allowed this way");
    assert.match(response.body, /does not allow single logout started by the application\./);
    assert.doesNotMatch(response.body, profileNames);
    assert.doesNotMatch(response.body, /Sign-in/);
  });

  it("titles any other failed logout “Sign-out failed”", async () => {
    const xml = logoutResponseXml({ issueInstant: now, inResponseTo: "_never-sent" });
    const response = await post("/idp/SLO.saml2", postFields({ messageType: "SAMLResponse", xml }));
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(heading(response.body), "Sign-out failed");
    assert.match(response.body, /No logout is in progress in this browser/);
  });

  it("refuses an IdP-initiated sign-in the connection does not allow, in words, on a sign-in page", async () => {
    const response = await server.runtimeApp.inject({
      method: "GET",
      url: `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`,
    });
    assert.equal(response.statusCode, 403, response.body);
    assert.equal(heading(response.body), "Sign-in not allowed this way");
    assert.match(response.body, /does not allow sign-in started at the identity provider\./);
    assert.doesNotMatch(response.body, profileNames);
  });
});
