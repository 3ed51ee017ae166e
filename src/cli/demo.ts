import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { CliIo } from "./io.ts";

/**
 * `portico demo` = `npm run demo`. The demo wires Portico to the Salesforce emulator, a separate
 * program that Portico's code never imports, so it runs as its own process.
 */
export const runDemo = (io: CliIo): Promise<number> =>
  new Promise((resolve) => {
    const script = fileURLToPath(new URL("../../scripts/demo.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      env: { ...io.env },
      stdio: "inherit",
    });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward("SIGINT");
    const onTerm = forward("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    child.on("exit", (code) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve(code ?? 1);
    });
  });
