import { Command, CommanderError } from "commander";
import { version } from "../version.ts";
import { registerAdminCommands } from "./commands/admin.ts";
import { registerClientCommands } from "./commands.ts";
import { runDemo } from "./demo.ts";
import { type CliIo, describeFailure } from "./io.ts";
import { serveUntilStopped } from "./serve.ts";

/**
 * Runs the `portico` command line. Returns the exit code; `serve` resolves only when the server
 * has stopped (on SIGTERM or SIGINT, or when npm, which started it, has exited).
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
      serving = (await serveUntilStopped(io, { configFile: options.config })).stopped;
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

  registerAdminCommands(program, io);
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
    const failure = describeFailure(error);
    io.stderr(`portico: ${failure.line}\n`);
    return failure.exitCode;
  }
};
