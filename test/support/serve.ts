import { join } from "node:path";
import { type Started, startProcess } from "./processes.ts";

const bin = new URL("../../bin/portico.js", import.meta.url).pathname;

export type Serving = Started & { readonly runtimeUrl: string; readonly adminUrl: string };

/** The banner's last address line has arrived: both listeners are open. */
const listening = (text: string) => /admin API http:\/\/\S+\/pf-admin-api/.test(text);

/**
 * `portico serve` as an operator starts it, in `dir` with its data dir `dir/data`, on ports the
 * OS picks and quiet logs unless `env` says otherwise; resolves once `isReady` accepts the output
 * (by default: the banner names both listeners), with the addresses the banner printed.
 */
export const startServe = async (
  dir: string,
  env: Record<string, string> = {},
  isReady: (output: string) => boolean = listening,
): Promise<Serving> => {
  const started = await startProcess(
    process.execPath,
    [bin, "serve"],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "",
        PORTICO_DATA_DIR: join(dir, "data"),
        PORTICO_RUNTIME_PORT: "0",
        PORTICO_ADMIN_PORT: "0",
        PORTICO_LOG_LEVEL: "warn",
        ...env,
      },
    },
    isReady,
  );
  const text = started.output();
  return {
    ...started,
    runtimeUrl: /runtime\s+(http:\/\/\S+)/.exec(text)?.[1] ?? "",
    adminUrl: /admin API (http:\/\/\S+)\/pf-admin-api/.exec(text)?.[1] ?? "",
  };
};
