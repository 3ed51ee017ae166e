import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fixedClock } from "../../src/lib/clock.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import {
  browserInject,
  cookieJar,
  createDirectoryUser,
  createSalesforceConnection,
  readPostForm,
  spEntityId,
} from "../support/sso.ts";

/** Login CSRF: a sign-in form serves only the browser it was shown to, once, briefly, from this site. */
describe("the sign-in form at /idp/login", () => {
  let server: TestServer;
  const clock = fixedClock("2026-03-02T09:00:00.000Z");
  const start = `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`;

  before(async () => {
    server = await startTestServer({ clock, env: { PORTICO_TRUSTED_PROXIES: "10.0.0.1" } });
    await createDirectoryUser(server);
    await createDirectoryUser(server, {
      uid: "mallory",
      password: "mallory-password-1",
      mail: "m@evil.test",
    });
    await createSalesforceConnection(server);
  });
  after(() => server.dispose());

  /** A browser that opened the SSO link: its jar now holds the form's cookie. */
  const openForm = async (url = start) => {
    const jar = cookieJar();
    const page = await browserInject(server.runtimeApp, jar, { method: "GET", url });
    const resume = readPostForm(page.body).resume ?? "";
    assert.ok(resume, "the page shows a sign-in form");
    return { jar, resume, page };
  };
  const post = (
    jar: ReturnType<typeof cookieJar>,
    form: Record<string, string>,
    headers: Record<string, string> = {},
    remoteAddress?: string,
  ) =>
    browserInject(server.runtimeApp, jar, {
      method: "POST",
      url: "/idp/login",
      form,
      headers,
      remoteAddress,
    });
  const ada = { username: "ada", password: "ada-password-1" };

  it("sets a SameSite=Strict, HttpOnly cookie with the form, sent only back to the form", async () => {
    const { page } = await openForm();
    const cookie = page.cookies.find((c) => c.name === "PORTICO_LOGIN");
    assert.ok(cookie?.value && cookie.value.length >= 40);
    assert.equal(cookie.sameSite, "Strict");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true, "the base URL is https");
    assert.equal(cookie.path, "/idp/login");
  });

  it("refuses a sign-in with no resume value, and starts no session", async () => {
    const { jar } = await openForm();
    const response = await post(jar, ada);
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /Sign-in page expired/);
    assert.equal(jar.get("PORTICO_SSO"), undefined);
  });

  it("refuses an attacker's form posted from a victim's browser (login CSRF)", async () => {
    const attacker = await openForm();
    // The victim has never seen Portico: no cookie at all.
    const fresh = await post(cookieJar(), { resume: attacker.resume, ...ada, username: "mallory" });
    assert.equal(fresh.statusCode, 403);
    assert.match(fresh.body, /LOGIN_FORM_FOREIGN/);
    assert.doesNotMatch(fresh.body, /SAMLResponse/);
    // The victim has a form cookie of their own, from an earlier visit.
    const victim = await openForm();
    const bound = await post(victim.jar, {
      resume: attacker.resume,
      username: "mallory",
      password: "mallory-password-1",
    });
    assert.equal(bound.statusCode, 403);
    assert.equal(victim.jar.get("PORTICO_SSO"), undefined, "the victim's browser is not signed in");
  });

  it("refuses posts that a browser marks as coming from another site", async () => {
    const { jar, resume } = await openForm();
    for (const headers of [
      { origin: "https://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site", origin: "https://evil.idp.example.com" },
    ]) {
      const response = await post(jar, { resume, ...ada }, headers);
      assert.equal(response.statusCode, 403, JSON.stringify(headers));
      assert.match(response.body, /LOGIN_CROSS_SITE/);
    }
    const own = await post(
      jar,
      { resume, ...ada },
      { origin: "https://idp.example.com", "sec-fetch-site": "same-origin" },
    );
    assert.ok(readPostForm(own.body).samlResponse, "the form's own origin is accepted");
  });

  it("believes X-Forwarded-Proto for the origin check only from a trusted proxy", async () => {
    const behindProxy = {
      host: "sso.acme.test",
      origin: "https://sso.acme.test",
      "x-forwarded-proto": "https",
    };
    const trusted = await openForm();
    const viaProxy = await post(trusted.jar, { resume: trusted.resume, ...ada }, behindProxy, "10.0.0.1");
    assert.ok(readPostForm(viaProxy.body).samlResponse, "https://sso.acme.test is this request's own origin");
    const untrusted = await openForm();
    const spoofed = await post(untrusted.jar, { resume: untrusted.resume, ...ada }, behindProxy, "192.0.2.5");
    assert.equal(
      spoofed.statusCode,
      403,
      "an untrusted peer's request is plain http, so the origin is foreign",
    );
  });

  it("accepts a form for one sign-in only", async () => {
    const { jar, resume } = await openForm();
    const first = await post(jar, { resume, ...ada });
    assert.ok(readPostForm(first.body).samlResponse);
    const again = await post(jar, { resume, ...ada });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /already used/);
    assert.doesNotMatch(again.body, /SAMLResponse/);
  });

  it("lets two parallel right posts of one form make only one session", async () => {
    const { jar, resume } = await openForm();
    const both = await Promise.all([post(jar, { resume, ...ada }), post(jar, { resume, ...ada })]);
    assert.equal(both.filter((r) => readPostForm(r.body).samlResponse).length, 1);
  });

  it("expires a form after ten minutes", async () => {
    const { jar, resume } = await openForm();
    clock.advance(10 * 60_000 + 1000);
    const late = await post(jar, { resume, ...ada });
    assert.equal(late.statusCode, 400);
    assert.match(late.body, /expired/);
  });

  it("serves one form for ten attempts, not a hundred", async () => {
    const { jar, resume } = await openForm();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(jar, { resume, username: `nobody-${i}`, password: "guess" }, {}, `198.51.100.${i}`),
      ),
    );
    const eleventh = await post(jar, { resume, ...ada });
    assert.equal(eleventh.statusCode, 400);
    assert.match(eleventh.body, /too many attempts/);
    assert.doesNotMatch(eleventh.body, /SAMLResponse/);
  });

  it("lets none of 100 parallel posts in, not even the right password at 90, however many forms", async () => {
    await createDirectoryUser(server, { uid: "victim", password: "victim-password-1", mail: "v@acme.test" });
    const jar = cookieJar();
    const forms: string[] = [];
    for (let i = 0; i < 10; i++) {
      const page = await browserInject(server.runtimeApp, jar, { method: "GET", url: start });
      forms.push(readPostForm(page.body).resume ?? "");
    }
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post(jar, {
          resume: forms[i % 10] ?? "",
          username: "victim",
          password: i === 90 ? "victim-password-1" : `wrong-${i}`,
        }),
      ),
    );
    assert.equal(responses.filter((r) => readPostForm(r.body).samlResponse).length, 0);
    assert.equal(responses.filter((r) => r.body.includes("The username or password is incorrect")).length, 5);
  });

  it("shows a plain sign-in form at GET /idp/login, bound the same way", async () => {
    const { jar, resume } = await openForm("/idp/login");
    const signedIn = await post(jar, { resume, ...ada });
    assert.equal(signedIn.statusCode, 200);
    assert.match(signedIn.body, /You are signed in/);
    assert.ok(jar.get("PORTICO_SSO"));
  });
});
