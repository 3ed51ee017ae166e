import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { Command } from "commander";
import { createEmulator } from "./app.ts";
import { selfSignedTls } from "./tls.ts";

/**
 * `npm run emulator -- --port 8443 [--host 127.0.0.1] [--state file.json] [--tls]`: one emulated
 * Salesforce org until SIGINT or SIGTERM, which save the state when --state is given.
 */

const program = new Command()
  .name("salesforce-emulator")
  .description("An emulated Salesforce org: OAuth, REST API, SAML service provider and a control API.")
  .option("--port <port>", "port to listen on (0 picks a free one)", "8443")
  .option("--host <host>", "address to listen on", "127.0.0.1")
  .option("--state <file>", "load the org from this JSON file if it exists, and save it there on exit")
  .option("--tls", "serve https with a generated self-signed certificate")
  .option("--base-url <url>", "public base URL, when it differs from the listen address")
  .option("--client-id <id>", "the connected app's consumer key (random otherwise)")
  .option("--client-secret <secret>", "the connected app's consumer secret (random otherwise)")
  .option("--admin-username <username>", "the integration user's username")
  .parse();

type Flags = {
  port: string;
  host: string;
  state?: string;
  tls?: boolean;
  baseUrl?: string;
  clientId?: string;
  clientSecret?: string;
  adminUsername?: string;
};

async function main(): Promise<void> {
  const flags = program.opts<Flags>();
  const saved =
    flags.state !== undefined && existsSync(flags.state)
      ? JSON.parse(readFileSync(flags.state, "utf8"))
      : undefined;
  const seed = {
    ...(flags.clientId === undefined ? {} : { clientId: flags.clientId }),
    ...(flags.clientSecret === undefined ? {} : { clientSecret: flags.clientSecret }),
    ...(flags.adminUsername === undefined ? {} : { adminUsername: flags.adminUsername }),
  };
  const emulator = createEmulator({
    seed,
    ...(saved === undefined ? {} : { state: saved }),
    ...(flags.baseUrl === undefined ? {} : { baseUrl: flags.baseUrl.replace(/\/$/, "") }),
    ...(flags.tls === true ? { https: await selfSignedTls() } : {}),
  });
  const baseUrl = await emulator.listen(Number(flags.port), flags.host);
  const info = (await emulator.app.inject({ method: "GET", url: "/_emulator/org" })).json() as Record<
    string,
    unknown
  >;
  const lines = [
    `Salesforce emulator listening on ${baseUrl}`,
    `  org id          ${String(info.orgId)} (${String(info.orgId15)})`,
    `  My Domain       ${String(info.myDomain)}`,
    `  instance URL    ${String(info.instanceUrl)}`,
    `  login URL       ${String(info.loginUrl)}  (token endpoint ${String(info.tokenUrl)})`,
    `  SAML login URL  ${String(info.samlLoginUrl)}`,
    `  admin username  ${String(info.adminUsername)}`,
    `  client id       ${String(info.clientId)}`,
    `  client secret   ${String(info.clientSecret)}`,
    `  control API     ${baseUrl}/_emulator/org`,
  ];
  if (saved !== undefined) lines.push(`  state loaded from ${String(flags.state)}`);
  // Handlers first: a client may signal as soon as it reads the banner.
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (flags.state !== undefined) {
      writeFileSync(flags.state, JSON.stringify(emulator.toJSON()));
      process.stdout.write(`${signal}: state saved to ${flags.state}\n`);
    }
    await emulator.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`salesforce-emulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
