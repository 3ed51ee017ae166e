import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { type ConsoleBench, startConsole } from "../support/console.ts";
import { api } from "../support/server.ts";

type KeyView = { id: string; isDefault: boolean; subjectDN: string; sha256Fingerprint: string };

/**
 * Signing keys in the console: generate (field errors, then a key that shows up with its expiry
 * warning), download its certificate, import PKCS#12 and PEM files, make one the default, delete
 * an unused one, see a key expire. An auditor sees the list and is refused every change.
 */
describe("console signing keys", { timeout: 300_000 }, () => {
  let bench: ConsoleBench;
  let now = Date.parse("2026-12-01T09:00:00.000Z");
  const work = mkdtempSync(join(tmpdir(), "portico-console-keys-"));
  const keyPem = join(work, "key.pem");
  const certPem = join(work, "cert.pem");
  const p12 = join(work, "key.p12");
  const bundle = join(work, "bundle.pem");
  const garbage = join(work, "garbage.p12");

  before(async () => {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        keyPem,
        "-out",
        certPem,
        "-days",
        "400",
        "-subj",
        "/CN=imported.example",
      ],
      { stdio: "ignore" },
    );
    execFileSync("openssl", [
      "pkcs12",
      "-export",
      "-inkey",
      keyPem,
      "-in",
      certPem,
      "-out",
      p12,
      "-passout",
      "pass:p12-password",
    ]);
    execFileSync("sh", [
      "-c",
      `cat "${certPem}" "${keyPem}" > "${bundle}"; printf 'not a key' > "${garbage}"`,
    ]);
    bench = await startConsole({ clock: { now: () => new Date(now) } });
    await bench.addAuditor();
  });
  after(async () => {
    await bench?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  const keys = async () =>
    (JSON.parse((await bench.server.request("GET", `${api}/keyPairs/signing`)).body) as { items: KeyView[] })
      .items;
  const keysPage = async (options: { bypassCSP?: boolean } = {}): Promise<Page> => {
    const page = await (await bench.context(options)).newPage();
    await bench.signIn(page);
    await page.goto("/console/keys");
    return page;
  };
  const row = (page: Page, id: string) =>
    page.getByRole("row").filter({ has: page.locator("code", { hasText: new RegExp(`^${id}$`) }) });

  it("generates a key pair, says what is wrong first, and warns that it expires within 30 days", async () => {
    const page = await keysPage();
    assert.equal(await row(page, "default-signing").count(), 1, "the server's first key is listed");
    const form = page.locator("#generate-key");
    await form.getByLabel("Common name (CN)").fill("idp.example.com");
    await form.getByLabel("Organization (O)").fill("Example, Inc.");
    await form.getByLabel("Country (C)").fill("usa");
    await form.getByLabel("Key type").selectOption("EC-256");
    await form.getByLabel("Valid for (days)").fill("20");
    await form.getByLabel("Key pair ID").fill("short-lived");
    await form.getByRole("button", { name: "Generate" }).click();
    await page.waitForLoadState("load");
    assert.match((await page.locator("#f-country-error").textContent()) ?? "", /Two capital letters/);
    assert.equal(
      await page.locator("#generate-key").getByLabel("Organization (O)").inputValue(),
      "Example, Inc.",
    );
    assert.equal(await page.locator("#generate-key").getByLabel("Key type").inputValue(), "EC-256");
    assert.equal((await keys()).length, 1, "nothing generated");

    await page.locator("#generate-key").getByLabel("Country (C)").fill("US");
    await page.locator("#generate-key").getByLabel("Make it the server's default signing key").check();
    await page.locator("#generate-key").getByRole("button", { name: "Generate" }).click();
    await page.waitForURL(/\/console\/keys$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /"short-lived" generated/);
    const text = (await row(page, "short-lived").textContent()) ?? "";
    assert.match(text, /EC P-256/);
    assert.match(text, /default/);
    assert.match(text, /CN=idp\.example\.com, O=Example\\, Inc\., C=US/);
    assert.match(text, /2026-12-21/);
    assert.match(text, /Expires soon/);
    assert.match(
      (await page.locator("#expiry-warnings").textContent()) ?? "",
      /short-lived.*within 30 days/s,
    );
    assert.equal((await keys()).find((k) => k.id === "short-lived")?.isDefault, true);

    await page.locator("#generate-key").getByLabel("Key pair ID").fill("short-lived");
    await page.locator("#generate-key").getByRole("button", { name: "Generate" }).click();
    await page.waitForLoadState("load");
    assert.match((await page.locator("#f-id-error").textContent()) ?? "", /already exists/);
  });

  it("downloads a key's certificate as PEM", async () => {
    const page = await keysPage();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      row(page, "short-lived")
        .getByRole("link", { name: /Download certificate/ })
        .click(),
    ]);
    assert.equal(download.suggestedFilename(), "short-lived.crt");
    const saved = join(work, "downloaded.crt");
    await download.saveAs(saved);
    const subject = execFileSync("openssl", ["x509", "-in", saved, "-noout", "-subject"], {
      encoding: "utf8",
    });
    assert.match(subject, /CN\s*=\s*idp\.example\.com/);
  });

  it("imports a PKCS#12 file (after a wrong password) and a PEM bundle, refusing a file that is neither", async () => {
    const page = await keysPage();
    const form = () => page.locator("#import-key");
    await form().getByRole("button", { name: "Import" }).click();
    assert.equal(page.url().endsWith("/console/keys"), true, "the browser asks for the file first");

    await form()
      .getByLabel(/^File\W*$/)
      .setInputFiles(p12);
    await form().getByLabel("Password").fill("wrong-password");
    await form().getByLabel("Key pair ID").fill("from-p12");
    await form().getByRole("button", { name: "Import" }).click();
    await page.waitForLoadState("load");
    assert.match((await page.locator("#f-file-error").textContent()) ?? "", /password is wrong/);
    assert.equal(await form().getByLabel("Key pair ID").inputValue(), "from-p12", "kept");
    assert.equal(await form().getByLabel("Password").inputValue(), "", "never sent back");

    await form()
      .getByLabel(/^File\W*$/)
      .setInputFiles(p12);
    await form().getByLabel("Password").fill("p12-password");
    await form().getByRole("button", { name: "Import" }).click();
    await page.waitForURL(/\/console\/keys$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /"from-p12" imported/);
    assert.match((await row(page, "from-p12").textContent()) ?? "", /CN=imported\.example/);

    await form().getByLabel("File format").selectOption("PEM");
    await form()
      .getByLabel(/^File\W*$/)
      .setInputFiles(garbage);
    await form().getByRole("button", { name: "Import" }).click();
    await page.waitForLoadState("load");
    assert.match(
      (await page.locator("#f-file-error").textContent()) ?? "",
      /missing private key or certificate/,
    );
    await form().getByLabel("File format").selectOption("PEM");
    await form()
      .getByLabel(/^File\W*$/)
      .setInputFiles(bundle);
    await form().getByLabel("Key pair ID").fill("from-pem");
    await form().getByRole("button", { name: "Import" }).click();
    await page.waitForURL(/\/console\/keys$/);
    const all = await keys();
    assert.equal(
      all.find((k) => k.id === "from-pem")?.sha256Fingerprint,
      all.find((k) => k.id === "from-p12")?.sha256Fingerprint,
      "the same certificate by both routes",
    );
    assert.match(readFileSync(bundle, "utf8"), /BEGIN CERTIFICATE/);
  });

  it("makes another key the default and deletes an unused one after confirmation", async () => {
    const page = await keysPage();
    await row(page, "from-p12").getByRole("button", { name: "Make default" }).click();
    await page.waitForURL(/\/console\/keys$/);
    assert.match(
      (await page.getByRole("status").textContent()) ?? "",
      /"from-p12" is now the server's default/,
    );
    assert.equal((await keys()).find((k) => k.id === "from-p12")?.isDefault, true);
    assert.equal(
      await row(page, "from-p12").getByRole("button", { name: "Delete" }).count(),
      0,
      "not the default",
    );

    page.once("dialog", (dialog) => void dialog.dismiss());
    await row(page, "from-pem").getByRole("button", { name: "Delete" }).click();
    assert.equal(await row(page, "from-pem").count(), 1, "dismissed: kept");
    page.once("dialog", (dialog) => void dialog.accept());
    await row(page, "from-pem").getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(/\/console\/keys$/);
    assert.equal(await row(page, "from-pem").count(), 0);
    assert.equal(
      (await keys()).some((k) => k.id === "from-pem"),
      false,
    );
  });

  it("shows a key as expired once its certificate has run out", async () => {
    now += 25 * 86_400_000;
    const page = await keysPage();
    assert.match((await row(page, "short-lived").textContent()) ?? "", /Expired/);
    assert.match((await page.locator("#expiry-warnings").textContent()) ?? "", /short-lived.*expired on/s);
  });

  it("lets an auditor see the keys and download a certificate, and refuses every change", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page, "audrey", "auditor-password-123");
    await page.goto("/console/keys");
    assert.equal(await row(page, "from-p12").count(), 1);
    assert.equal(await page.locator("#generate-key, #import-key").count(), 0, "no forms");
    assert.equal(await page.getByRole("button", { name: /Make default|Delete/ }).count(), 0, "no buttons");
    const certificate = await page.request.get("/console/keys/from-p12/certificate");
    assert.match(await certificate.text(), /BEGIN CERTIFICATE/);
    const _csrf = await page.locator("input[name=_csrf]").first().inputValue();
    const before = await keys();
    for (const path of ["/console/keys/default-signing/default", "/console/keys/short-lived/delete"]) {
      const refused = await page.request.post(path, { form: { _csrf }, maxRedirects: 0 });
      assert.equal(refused.status(), 403, path);
    }
    const generate = await page.request.post("/console/keys/generate", {
      form: {
        _csrf,
        commonName: "x",
        organization: "",
        organizationUnit: "",
        city: "",
        state: "",
        country: "",
        keyType: "RSA-2048",
        validDays: "10",
        id: "mine",
      },
      maxRedirects: 0,
    });
    assert.equal(generate.status(), 403);
    const imported = await page.request.post("/console/keys/import", {
      multipart: {
        _csrf,
        format: "PEM",
        password: "",
        id: "mine",
        file: { name: "b.pem", mimeType: "application/x-pem-file", buffer: readFileSync(bundle) },
      },
      maxRedirects: 0,
    });
    assert.equal(imported.status(), 403);
    assert.match(await imported.text(), /Auditor accounts are read-only/);
    assert.deepEqual(await keys(), before, "nothing changed");
  });

  it("has no serious or critical accessibility violation, with warnings and with errors", async () => {
    const page = await keysPage({ bypassCSP: true });
    assert.deepEqual(await bench.axe(page), []);
    await page.locator("#generate-key").getByLabel("Valid for (days)").fill("0");
    await page.locator("#generate-key").getByRole("button", { name: "Generate" }).click();
    await page.waitForLoadState("load");
    assert.equal(await page.locator("#f-validDays-error").count(), 1);
    assert.deepEqual(await bench.axe(page), [], "with field errors");
  });
});
