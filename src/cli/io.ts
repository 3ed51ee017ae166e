import { AppError } from "../lib/errors.ts";

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

/** A failure the CLI reports as one line and a non-zero exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/**
 * How the CLI reports a failure: one line (with the stable code) and an exit code, never a stack
 * trace. Commander's own errors are handled where the program is parsed.
 */
export const describeFailure = (error: unknown): { line: string; exitCode: number } => {
  if (error instanceof CliError) return { line: error.message, exitCode: error.exitCode };
  if (error instanceof AppError) return { line: `${error.code}: ${error.message}`, exitCode: 1 };
  return { line: `unexpected error: ${error instanceof Error ? error.message : String(error)}`, exitCode: 1 };
};
