import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";

/** Debian's chromium; scripts/test-prerequisites.sh installs it. Never a downloaded browser. */
export const chromiumPath = process.env.PORTICO_TEST_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Headless Chromium with the flags this closed network needs (no background traffic). Playwright
 * gives each launch a fresh profile; HOME points at a temp dir removed on close.
 */
export const launchBrowser = async (): Promise<Browser & { dispose(): Promise<void> }> => {
  const profile = mkdtempSync(join(tmpdir(), "portico-chromium-"));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    env: { ...process.env, HOME: profile },
  });
  return Object.assign(browser, {
    dispose: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  });
};
