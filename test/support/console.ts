import { createRequire } from "node:module";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "./browser.ts";
import { freePort } from "./federation.ts";
import { adminPassword, startTestServer, type TestServer } from "./server.ts";

/**
 * The admin console for browser tests: a whole Portico with its admin listener on a loopback
 * port, and Debian's Chromium. `signIn` goes through the real form; `axe` runs axe-core in the
 * page and returns the serious and critical violations.
 */
export type ConsoleBench = {
  server: TestServer;
  url: string;
  /** The runtime (SSO) listener's URL, when started with `runtime: true`; its base URL too. */
  runtimeUrl: string | undefined;
  browser: Browser;
  /**
   * A fresh browser context (its own cookies); `bypassCSP` only for injecting axe-core;
   * `javaScriptEnabled: false` for what must work without script.
   */
  context(options?: { bypassCSP?: boolean; javaScriptEnabled?: boolean }): Promise<BrowserContext>;
  signIn(page: Page, username?: string, password?: string): Promise<void>;
  /**
   * Another Portico on the same database and master key, its console listening: a second node of
   * a cluster behind a load balancer (the bench must have been started with a `databaseUrl`).
   */
  addNode(): Promise<{ server: TestServer; url: string }>;
  /** Creates the read-only account {@link auditor} through the admin API. */
  addAuditor(): Promise<void>;
  axe(page: Page): Promise<string[]>;
  dispose(): Promise<void>;
};

/** The AUDITOR account the console tests sign in as to prove they can look and not change. */
export const auditor = { username: "audrey", password: "auditor-password-123" } as const;

/** The console's sign-in form, filled in and sent; `console` is its URL when the page has no base URL. */
export const signInToConsole = async (
  page: Page,
  username: string,
  password: string,
  console = "/console",
) => {
  await page.goto(`${console}/signin`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForLoadState("load");
};

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");

export const startConsole = async (
  options: Parameters<typeof startTestServer>[0] & {
    /** Also serve the runtime (sign-in, SSO) on a loopback port, with PORTICO_BASE_URL naming it. */
    runtime?: boolean;
  } = {},
): Promise<ConsoleBench> => {
  const { runtime = false, ...serverOptions } = options;
  // The base URL is in the IdP's metadata and endpoints: the port is chosen before the server starts.
  const runtimePort = runtime ? await freePort() : undefined;
  const runtimeUrl = runtimePort === undefined ? undefined : `http://127.0.0.1:${runtimePort}`;
  const server = await startTestServer({
    ...serverOptions,
    env: { ...serverOptions.env, ...(runtimeUrl === undefined ? {} : { PORTICO_BASE_URL: runtimeUrl }) },
  });
  const url = await server.adminApp.listen({ port: 0, host: "127.0.0.1" });
  if (runtimePort !== undefined) await server.runtimeApp.listen({ port: runtimePort, host: "127.0.0.1" });
  const browser = await launchBrowser();
  const contexts: BrowserContext[] = [];
  const nodes: TestServer[] = [];
  return {
    server,
    url,
    runtimeUrl,
    browser,
    context: async (o = {}) => {
      const context = await browser.newContext({
        baseURL: url,
        bypassCSP: o.bypassCSP ?? false,
        javaScriptEnabled: o.javaScriptEnabled ?? true,
      });
      contexts.push(context);
      return context;
    },
    signIn: (page, username = "admin", password = adminPassword) => signInToConsole(page, username, password),
    addNode: async () => {
      if (options.databaseUrl === undefined) throw new Error("addNode needs the bench's databaseUrl");
      const node = await startTestServer({ ...serverOptions, masterKey: server.masterKeyText });
      nodes.push(node);
      return { server: node, url: await node.adminApp.listen({ port: 0, host: "127.0.0.1" }) };
    },
    addAuditor: async () => {
      const created = await server.request("POST", "/pf-admin-api/v1/adminAccounts", {
        ...auditor,
        role: "AUDITOR",
      });
      if (created.statusCode !== 201) throw new Error(`the auditor account was refused: ${created.body}`);
    },
    axe: async (page) => {
      await page.addScriptTag({ path: axePath });
      const results = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } })
          .axe;
        return (await axe.run()).violations;
      });
      return results
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map(
          (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
        );
    },
    dispose: async () => {
      await Promise.allSettled(contexts.map((c) => c.close()));
      await browser.dispose();
      await Promise.allSettled(nodes.map((n) => n.dispose()));
      await server.dispose();
    },
  };
};

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };
