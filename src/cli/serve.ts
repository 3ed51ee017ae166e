import { composeServer, type Server } from "../compose.ts";
import { loadConfig } from "../config/loader.ts";
import type { Config } from "../config/schema.ts";
import { createLogger } from "../logger.ts";
import { version } from "../version.ts";
import type { CliIo } from "./io.ts";
import { checkListenTargets, explainListenError, type ListenTarget } from "./listen.ts";
import { stopWithParent } from "./parent-watch.ts";

export type RunningServer = Server & {
  runtimeUrl: string;
  adminUrl: string;
  shutdown: { drainSeconds: number; timeoutSeconds: number };
};

const listenTargets = (config: Config): { runtime: ListenTarget; admin: ListenTarget } => ({
  runtime: {
    port: config.runtimePort,
    host: config.host,
    portVariable: "PORTICO_RUNTIME_PORT",
    hostVariable: "PORTICO_HOST",
  },
  admin: {
    port: config.adminPort,
    host: config.adminHost,
    portVariable: "PORTICO_ADMIN_PORT",
    hostVariable: "PORTICO_ADMIN_HOST",
  },
});

const banner = (config: Config, server: Server, runtimeUrl: string, adminUrl: string): string[] => {
  const lines = [
    `Portico ${version}`,
    `  runtime   ${runtimeUrl}  (public base URL ${config.baseUrl}, entity ID ${config.entityId})`,
    `  console   ${adminUrl}/console  (sign in as an admin account)`,
    `  admin API ${adminUrl}/pf-admin-api/v1  (OpenAPI: ${adminUrl}/pf-admin-api/v1/openapi.json)`,
    `  database  ${server.context.store.dialect}${config.databaseUrl.startsWith("sqlite:") ? ` ${config.databaseUrl.slice(7)}` : ""}`,
    "  logs      standard output, one JSON object a line",
  ];
  const report = server.bootstrap;
  if (report.migrations.length > 0) lines.push(`  applied migrations: ${report.migrations.join(", ")}`);
  if (report.generatedAdminPassword !== undefined) {
    lines.push(
      `  Generated password for the admin account "admin": ${report.generatedAdminPassword}`,
      "  (shown this once; set PORTICO_ADMIN_PASSWORD before the first start to choose it)",
    );
  } else if (report.createdAdmin) {
    lines.push('  Created the admin account "admin" with the password from PORTICO_ADMIN_PASSWORD.');
  }
  if (report.ignoredAdminPassword) {
    lines.push(
      "  PORTICO_ADMIN_PASSWORD is ignored: the admin account already exists. To change its password,",
      "  run `portico admin reset-password` (it works while the server runs) or use the admin API.",
    );
  }
  if (server.masterKey.generated) {
    lines.push(
      `  WARNING: generated a master key in ${server.masterKey.file}. It encrypts private keys and secrets at rest;`,
      "           production needs its own (PORTICO_MASTER_KEY, 32 bytes base64), kept outside the data dir and backed up.",
    );
  }
  if (report.generatedSigningKeyId !== undefined) {
    lines.push(
      `  WARNING: generated a self-signed RSA-2048 signing key pair "${report.generatedSigningKeyId}";`,
      "           production needs its own key pair (portico keys import, or keys generate with your subject).",
    );
  }
  return lines;
};

/**
 * `portico serve`: both listeners, first-start bootstrap, and the lines a newcomer needs.
 * Standard output carries only JSON log lines; the banner goes to standard error, so a log
 * shipper reading stdout never meets a line that is not JSON. The generated admin password is
 * printed once, here, and never logged.
 */
export const startServer = async (
  io: CliIo,
  options: { configFile?: string | undefined },
): Promise<RunningServer> => {
  const config = loadConfig({ env: io.env, cwd: io.cwd, file: options.configFile });
  const targets = listenTargets(config);
  await checkListenTargets([targets.runtime, targets.admin]);
  const logger = createLogger(config.logLevel);
  let runtimeUrl = "";
  let adminUrl = "";
  const listen = async (app: Server["runtimeApp"], target: ListenTarget): Promise<string> => {
    try {
      return await app.listen({ port: target.port, host: target.host });
    } catch (error) {
      throw explainListenError(target, error);
    }
  };
  const server = await composeServer(config, {
    logger,
    provisioning: true,
    beforeBootstrap: async (apps) => {
      runtimeUrl = await listen(apps.runtimeApp, targets.runtime);
      adminUrl = await listen(apps.adminApp, targets.admin);
    },
  });
  io.stderr(`${banner(config, server, runtimeUrl, adminUrl).join("\n")}\n`);
  return {
    ...server,
    runtimeUrl,
    adminUrl,
    shutdown: { drainSeconds: config.drainSeconds, timeoutSeconds: config.shutdownTimeoutSeconds },
  };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The graceful stop: readiness answers 503 for PORTICO_DRAIN_SECONDS so the load balancer moves
 * new sign-ins elsewhere, then the listeners stop accepting while in-flight requests and the
 * provisioning batch in progress finish. 0 when all of it finished within
 * PORTICO_SHUTDOWN_TIMEOUT_SECONDS; 1, and a forced exit soon after, when it did not.
 */
const drainAndClose = async (io: CliIo, server: RunningServer): Promise<number> => {
  const { drainSeconds, timeoutSeconds } = server.shutdown;
  server.drain();
  if (drainSeconds > 0) {
    io.stderr(`Draining: /healthz/ready answers 503 for ${drainSeconds} s before the listeners close.\n`);
    await sleep(drainSeconds * 1000);
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), timeoutSeconds * 1000);
  });
  const result = await Promise.race([server.close().then(() => "closed" as const), late]);
  clearTimeout(timer);
  if (result === "closed") return 0;
  io.stderr(
    `In-flight work did not finish within ${timeoutSeconds} s (PORTICO_SHUTDOWN_TIMEOUT_SECONDS); exiting with code 1.\n`,
  );
  // Whatever still holds the event loop (a request that never ends) must not keep the process.
  setTimeout(() => process.exit(1), 1000).unref();
  return 1;
};

/**
 * Starts the server and returns once it listens, with a promise of the exit code once it has
 * stopped: on SIGTERM or SIGINT, or when npm, which started it, has exited.
 */
export const serveUntilStopped = async (
  io: CliIo,
  options: { configFile?: string | undefined },
): Promise<{ stopped: Promise<number> }> => {
  // Signal handlers come first: a supervisor may signal as soon as it reads the banner.
  let stopRequested: string | undefined;
  let server: RunningServer | undefined;
  let closing: Promise<void> | undefined;
  let finish: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => {
    finish = resolve;
  });
  let unwatch = () => {};
  const stop = (reason: string): void => {
    stopRequested ??= reason;
    if (!server || closing) return;
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
    unwatch();
    io.stderr(`${reason}; shutting down.\n`);
    closing = drainAndClose(io, server).then(finish);
  };
  const onTerm = () => stop("Received SIGTERM");
  const onInt = () => stop("Received SIGINT");
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);
  try {
    server = await startServer(io, options);
  } catch (error) {
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
    throw error;
  }
  unwatch = stopWithParent(io.env, () => stop("The process that started Portico (npm) has exited"));
  if (stopRequested !== undefined) stop(stopRequested);
  return { stopped };
};
