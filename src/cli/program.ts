import { Command, CommanderError } from "commander";
import { AppError } from "../lib/errors.ts";
import { version } from "../version.ts";
import { registerClientCommands } from "./commands.ts";
import { runDemo } from "./demo.ts";
import { CliError, type CliIo } from "./io.ts";
import { startServer } from "./serve.ts";

/**
 * Runs the `portico` command line. Returns the exit code; `serve` resolves only when the server
 * has stopped (on SIGTERM or SIGINT).
 */
export const runCli = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const program = new Command("portico")
    .description("Portico: the SAML identity provider and user provisioning engine for Salesforce")
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError("(run with --help for usage)");

  let serving: Promise<void> | undefined;
  program
    .command("serve")
    .description("run the runtime (SSO) and admin listeners")
    .option("--config <file>", "a JSON file of PORTICO_* settings (the environment wins)")
    .action(async (options: { config?: string }) => {
      // Signal handlers come first: a supervisor may signal as soon as it reads the banner.
      let stopRequested: string | undefined;
      let server: Awaited<ReturnType<typeof startServer>> | undefined;
      let finish: () => void = () => {};
      serving = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const stop = async (signal: string) => {
        if (stopRequested !== undefined && server === undefined) return;
        stopRequested = signal;
        if (!server) return;
        process.off("SIGTERM", onTerm);
        process.off("SIGINT", onInt);
        io.stderr(`Received ${signal}; shutting down.\n`);
        await server.close();
        finish();
      };
      const onTerm = () => void stop("SIGTERM");
      const onInt = () => void stop("SIGINT");
      process.on("SIGTERM", onTerm);
      process.on("SIGINT", onInt);
      try {
        server = await startServer(io, { configFile: options.config });
      } catch (error) {
        process.off("SIGTERM", onTerm);
        process.off("SIGINT", onInt);
        serving = undefined;
        throw error;
      }
      if (stopRequested !== undefined) await stop(stopRequested);
    });

  let demoExit: Promise<number> | undefined;
  program
    .command("demo")
    .description(
      "run Portico, the Salesforce emulator and a sample directory wired together (= npm run demo)",
    )
    .action(() => {
      demoExit = runDemo(io);
    });

  registerClientCommands(program, io);

  try {
    await program.parseAsync([...argv], { from: "user" });
    if (serving) await serving;
    if (demoExit) return await demoExit;
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error.
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" ? 0 : 2;
    }
    if (error instanceof CliError) {
      io.stderr(`portico: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof AppError) {
      io.stderr(`portico: ${error.code}: ${error.message}\n`);
      return 1;
    }
    io.stderr(`portico: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
};
