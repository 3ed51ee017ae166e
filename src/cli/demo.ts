import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { CliIo } from "./io.ts";
import { stopWithParent } from "./parent-watch.ts";

/**
 * `portico demo` = `npm run demo`. The demo wires Portico to the Salesforce emulator, a separate
 * program that Portico's code never imports, so it runs as its own process. tsx is named by its
 * resolved location, not by `--import tsx`, which Node would look up from the working directory:
 * the binary must work from any directory.
 */
export const runDemo = (io: CliIo, options: { readonly ldap: boolean }): Promise<number> =>
  new Promise((resolve) => {
    const script = fileURLToPath(new URL("../../scripts/demo.ts", import.meta.url));
    const args = ["--import", import.meta.resolve("tsx"), script, ...(options.ldap ? ["--ldap"] : [])];
    const child = spawn(process.execPath, args, {
      env: { ...io.env },
      cwd: io.cwd,
      // The IPC channel closes when this process ends, however it ends: the demo stops with it.
      stdio: ["inherit", "inherit", "inherit", "ipc"],
    });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward("SIGINT");
    const onTerm = forward("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    const unwatch = stopWithParent(io.env, onTerm);
    child.on("exit", (code) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      unwatch();
      resolve(code ?? 1);
    });
  });
