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
      // Shared memory is small in many containers; a renderer that runs out of it dies silently.
      "--disable-dev-shm-usage",
    ],
    env: { ...process.env, HOME: profile },
  });
  // A browser that dies mid-test fails it with "Target closed"; say so plainly in the output.
  let closing = false;
  browser.on("disconnected", () => {
    if (!closing) process.stderr.write("chromium exited before the test closed it\n");
  });
  return Object.assign(browser, {
    dispose: async () => {
      closing = true;
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  });
};
