import { type ChildProcess, spawn } from "node:child_process";
import { freePort } from "../scripts/slapd.ts";

/**
 * The Salesforce emulator in a process of its own, for the provisioning benchmarks: its memory
 * and CPU are not counted as Portico's. Started from emulator/salesforce/main.ts.
 */

/** The emulator, ready when its banner says where it listens. */
export const startEmulator = async (): Promise<{ url: string; child: ChildProcess }> => {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "emulator/salesforce/main.ts", "--port", String(port)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let text = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes("control API")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`the emulator exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
};

/** A call to the emulator's control API (`/_emulator…`). */
export const control = async (url: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${url}/_emulator${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
};

/** An emulated org that takes `users` users and a benchmark's worth of API calls. */
export const benchOrg = async (users: number) => {
  const emulator = await startEmulator();
  await control(emulator.url, "PUT", "/licenses", { Salesforce: users + 1000 });
  await control(emulator.url, "PUT", "/limits", { dailyApiRequests: 10_000_000 });
  return emulator;
};

export const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
