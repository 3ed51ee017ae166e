import { createServer } from "node:net";
import { AppError } from "../lib/errors.ts";

/** Where one listener goes, and the configuration variables that chose it (named in errors). */
export type ListenTarget = {
  readonly port: number;
  readonly host: string;
  readonly portVariable: string;
  readonly hostVariable: string;
};

/** Turns a failed listen into one line that names the variable to change. */
export const explainListenError = (target: ListenTarget, error: unknown): AppError => {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `port ${target.port} on ${target.host}`;
  const message =
    code === "EADDRINUSE"
      ? `${target.portVariable}: ${where} is already in use`
      : code === "EACCES"
        ? `${target.portVariable}: ${where} may not be opened by this user (ports below 1024 need privileges)`
        : code === "EADDRNOTAVAIL"
          ? `${target.hostVariable}: ${target.host} is not an address of this machine`
          : code === "ENOTFOUND" || code === "EAI_AGAIN"
            ? `${target.hostVariable}: cannot resolve ${target.host}`
            : `${target.portVariable}: cannot listen on ${where} (${error instanceof Error ? error.message : String(error)})`;
  return new AppError("CFG_LISTEN_FAILED", { message, cause: error });
};

const probe = (target: ListenTarget): Promise<void> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error) => reject(explainListenError(target, error)));
    server.listen({ port: target.port, host: target.host, exclusive: true }, () =>
      server.close(() => resolve()),
    );
  });

/**
 * Opens and closes each address before the start writes anything, so a port in use stops the
 * start with a clear line while the data dir is still untouched. Port 0 (any free port) needs no check.
 */
export const checkListenTargets = async (targets: readonly ListenTarget[]): Promise<void> => {
  for (const target of targets) if (target.port !== 0) await probe(target);
};
