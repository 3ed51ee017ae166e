import { Command, CommanderError } from "commander";
import { version } from "../version.ts";
import { registerAdminCommands } from "./commands/admin.ts";
import { registerClientCommands } from "./commands.ts";
import { runDemo } from "./demo.ts";
import { type CliIo, describeFailure, usageError } from "./io.ts";
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
    // Commander's own error line is replaced by ours below, which names CLI_USAGE.
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => {} });

  let serving: Promise<number> | undefined;
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
    .option("--ldap", "keep the sample people in OpenLDAP (Debian's slapd, run privately) instead")
    .action((options: { ldap?: boolean }) => {
      demoExit = runDemo(io, { ldap: options.ldap === true });
    });

  registerAdminCommands(program, io);
  registerClientCommands(program, io);

  try {
    await program.parseAsync([...argv], { from: "user" });
    if (serving) return await serving;
    if (demoExit) return await demoExit;
    return 0;
  } catch (error) {
    const json = wantsJson(argv);
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error.
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      const message =
        error.code === "commander.help"
          ? "the command is incomplete; its usage is above"
          : `${error.message.replace(/^error: /, "")} (run with --help for usage)`;
      io.stderr(describeFailure(usageError(message), { json }).text);
      return 2;
    }
    const failure = describeFailure(error, { json });
    io.stderr(failure.text);
    return failure.exitCode;
  }
};

/** Whether the caller asked for JSON (`--json`, or `--format json`): failures answer in kind. */
const wantsJson = (argv: readonly string[]): boolean => {
  const end = argv.indexOf("--");
  const options = end < 0 ? argv : argv.slice(0, end);
  return options.some(
    (arg, i) =>
      arg === "--json" || arg === "--format=json" || (arg === "--format" && options[i + 1] === "json"),
  );
};
