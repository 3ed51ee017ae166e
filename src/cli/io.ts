import { AppError, errorCatalogue, isAppError } from "../lib/errors.ts";

/** What a command may touch of the process: injected so tests run commands in-process. */
export type CliIo = {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Reads all of standard input (for `-` as a file name). */
  readonly readStdin: () => Promise<string>;
};

export const processIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString("utf8");
  },
});

/** A usage mistake: exit code 2, like commander's own. */
export const usageError = (message: string): AppError => new AppError("CLI_USAGE", { message });

/** Every failure as a catalogue error: anything else is a bug, reported as INTERNAL. */
export const asAppError = (error: unknown): AppError =>
  isAppError(error)
    ? error
    : new AppError("INTERNAL", {
        message: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      });

/** `CLI_*` codes carry their exit code in the catalogue; every other failure exits 1. */
export const exitCodeOf = (error: AppError): number =>
  error.code.startsWith("CLI_") ? errorCatalogue[error.code].status : 1;

/**
 * How the CLI reports a failure, never with a stack trace: one line naming the stable code for
 * people, or `{"error": {"code", "message"}}` for scripts that asked for JSON. Either goes to
 * standard error, so a script's standard output holds only what succeeded.
 */
export const describeFailure = (
  failure: unknown,
  options: { json: boolean },
): { text: string; exitCode: number } => {
  const error = asAppError(failure);
  const exitCode = exitCodeOf(error);
  if (!options.json) return { text: `portico: ${error.code}: ${error.message}\n`, exitCode };
  const details = error.details.length > 0 ? { details: error.details } : {};
  return {
    text: `${JSON.stringify({ error: { code: error.code, message: error.message, ...details } })}\n`,
    exitCode,
  };
};
