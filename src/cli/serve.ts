import { composeServer, type Server } from "../compose.ts";
import { loadConfig } from "../config/loader.ts";
import { createLogger } from "../logger.ts";
import { version } from "../version.ts";
import type { CliIo } from "./io.ts";

export type RunningServer = Server & { runtimeUrl: string; adminUrl: string };

/**
 * `portico serve`: both listeners, first-start bootstrap, and the lines a newcomer needs.
 * The generated admin password is printed once, here, and never logged.
 */
export const startServer = async (
  io: CliIo,
  options: { configFile?: string | undefined },
): Promise<RunningServer> => {
  const config = loadConfig({ env: io.env, cwd: io.cwd, file: options.configFile });
  const logger = createLogger(config.logLevel);
  const server = await composeServer(config, { logger });
  try {
    const runtimeUrl = await server.runtimeApp.listen({ port: config.runtimePort, host: config.host });
    const adminUrl = await server.adminApp.listen({ port: config.adminPort, host: config.host });
    const lines = [
      `Portico ${version}`,
      `  runtime   ${runtimeUrl}  (public base URL ${config.baseUrl}, entity ID ${config.entityId})`,
      `  admin API ${adminUrl}/pf-admin-api/v1  (OpenAPI: ${adminUrl}/pf-admin-api/v1/openapi.json)`,
      `  database  ${server.context.store.dialect}${config.databaseUrl.startsWith("sqlite:") ? ` ${config.databaseUrl.slice(7)}` : ""}`,
    ];
    if (server.bootstrap.migrations.length > 0)
      lines.push(`  applied migrations: ${server.bootstrap.migrations.join(", ")}`);
    if (server.bootstrap.generatedAdminPassword !== undefined) {
      lines.push(
        `  Generated password for the admin account "admin": ${server.bootstrap.generatedAdminPassword}`,
        "  (shown this once; set PORTICO_ADMIN_PASSWORD before the first start to choose it)",
      );
    } else if (server.bootstrap.createdAdmin) {
      lines.push('  Created the admin account "admin" with the password from PORTICO_ADMIN_PASSWORD.');
    }
    if (server.masterKey.generated) {
      lines.push(
        `  WARNING: generated a master key in ${server.masterKey.file}. It encrypts private keys and secrets at rest;`,
        "           production needs its own (PORTICO_MASTER_KEY, 32 bytes base64), kept outside the data dir and backed up.",
      );
    }
    if (server.bootstrap.generatedSigningKeyId !== undefined) {
      lines.push(
        `  WARNING: generated a self-signed RSA-2048 signing key pair "${server.bootstrap.generatedSigningKeyId}";`,
        "           production needs its own key pair (portico keys import, or keys generate with your subject).",
      );
    }
    io.stdout(`${lines.join("\n")}\n`);
    return { ...server, runtimeUrl, adminUrl };
  } catch (error) {
    await server.close();
    throw error;
  }
};
