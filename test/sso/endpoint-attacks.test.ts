/**
 * The attack corpus against the real endpoints: every fixture of test/fixtures/saml/attacks is
 * sent to /idp/SSO.saml2 or /idp/SLO.saml2 of a running Portico (database replay cache, pinned
 * Salesforce certificate, the manifest's clock) and must be refused with exactly its code —
 * on an HTML error page while nothing is trusted, or in a SAML error Response to the stored ACS
 * once the SP and its ACS are. Nothing may answer 5xx.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { fixedClock } from "../../src/lib/clock.ts";
import type { ErrorCode } from "../../src/lib/errors.ts";
import { samlErrorStatus } from "../../src/saml/authn-request/error-status.ts";
import { sealWalk } from "../../src/services/sso/slo.ts";
import { type AttackCase, corpusRoot } from "../fixtures/saml/attacks/generate.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { createSalesforceConnection } from "../support/sso.ts";

const folder = join(corpusRoot, "attacks");
const manifest = JSON.parse(readFileSync(join(folder, "manifest.json"), "utf8")) as {
  now: string;
  connection: { supportedNameIdFormats: string[] };
  pendingLogoutRequestId: string;
  cases: AttackCase[];
};

describe("attack corpus at the SSO and SLO endpoints", () => {
  let server: TestServer;
  const clock = fixedClock(manifest.now);

  before(async () => {
    server = await startTestServer({ clock, env: { PORTICO_BASE_URL: "https://idp.example.com" } });
  });
  after(() => server.dispose());

  /** The connection as the case wants it (signing required, SHA-1 allowed) — stored afresh. */
  const configure = async (testCase: AttackCase) => {
    await server.context.store.connections.delete("salesforce");
    await createSalesforceConnection(server, (c: SpConnection) => {
      const sso = c.spBrowserSso;
      if (!sso) return;
      sso.enabledProfiles = [
        "IDP_INITIATED_SSO",
        "SP_INITIATED_SSO",
        "IDP_INITIATED_SLO",
        "SP_INITIATED_SLO",
      ];
      sso.requireSignedAuthnRequests = testCase.connection?.requireSignature ?? true;
      const core = sso.attributeContract.coreAttributes?.[0];
      const format = manifest.connection.supportedNameIdFormats[0];
      if (core && format) core.nameFormat = format;
      if (testCase.connection?.allowSha1 && c.credentials?.signingSettings) {
        c.credentials.signingSettings.algorithm = "SHA1withRSA";
      }
    });
    const db = new Database(join(server.dataDir, "portico.db"));
    db.prepare("DELETE FROM replay_cache").run();
    db.close();
  };

  const send = (testCase: AttackCase, content: string, cookie: string) => {
    const url = testCase.endpoint === "sso" ? "/idp/SSO.saml2" : "/idp/SLO.saml2";
    if (testCase.feed === "redirect") {
      return server.runtimeApp.inject({
        method: "GET",
        url: `${url}?${content.trim()}`,
        headers: { cookie },
      });
    }
    const fields: Record<string, string | string[]> =
      testCase.feed === "post"
        ? { [testCase.messageType ?? "SAMLRequest"]: Buffer.from(content, "utf8").toString("base64") }
        : (JSON.parse(content) as Record<string, string | string[]>);
    const payload = Object.entries(fields)
      .flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value]).map((v) => `${name}=${encodeURIComponent(v)}`),
      )
      .join("&");
    return server.runtimeApp.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      payload,
    });
  };

  for (const testCase of manifest.cases) {
    it(`${testCase.endpoint} ${testCase.feed} ${testCase.file} → ${testCase.expect}`, async () => {
      await configure(testCase);
      const content = readFileSync(join(folder, testCase.file), "utf8");
      const walk = sealWalk(server.context, {
        remaining: [],
        partial: false,
        pending: { connectionId: "salesforce", requestId: manifest.pendingLogoutRequestId },
      });
      const cookie = `PORTICO_SLO=${encodeURIComponent(walk)}`;
      if (testCase.replay === true) {
        const first = await send(testCase, content, cookie);
        assert.ok(first.statusCode < 400, `the first use is accepted: ${first.statusCode}`);
      }
      const response = await send(testCase, content, cookie);
      assert.ok(response.statusCode < 500, `${response.statusCode}: ${response.body.slice(0, 300)}`);
      assert.equal(response.headers.location, undefined, "never a redirect to an untrusted address");
      const samlResponse = /name="SAMLResponse" value="([^"]+)"/.exec(response.body)?.[1];
      if (samlResponse) {
        // Refused after the ACS was trusted: a SAML error Response with the matching status.
        const xml = Buffer.from(samlResponse, "base64").toString("utf8");
        const status = samlErrorStatus(testCase.expect as ErrorCode);
        assert.ok(xml.includes(status.code), `status ${status.code} in ${xml.slice(0, 400)}`);
        if (status.subCode) assert.ok(xml.includes(status.subCode), `sub-status ${status.subCode}`);
        assert.ok(!xml.includes("<saml:Assertion"), "no assertion in an error response");
      } else {
        assert.ok(response.statusCode >= 400, `refused: ${response.statusCode}`);
        assert.match(response.body, new RegExp(`\\(${testCase.expect}\\)`), response.body.slice(0, 600));
      }
    });
  }
});
