import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { requireTool } from "./peers.ts";

/**
 * pysaml2 (Debian's python3-pysaml2) as service providers, driven through test/peers/pysaml2_sp.py:
 * one long-lived python process per test file (pysaml2 takes a second to import) holding any
 * number of SPs, one JSON line per command and per answer.
 */

export type Pysaml2Configuration = {
  readonly entityId: string;
  readonly acsUrl: string;
  /** Published in the SP's metadata as an HTTP-Artifact ACS, as mellon and Shibboleth SP do. */
  readonly artifactAcsUrl: string;
  readonly sloUrl: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** The SP metadata's NameIDFormat elements, in order. */
  readonly nameIdFormats: readonly string[];
  /** Portico's IdP metadata: the certificates pysaml2 checks signatures with. */
  readonly idpMetadata: string;
};

export type Pysaml2Acs =
  | {
      readonly ok: true;
      readonly nameId: string;
      readonly nameIdFormat: string;
      readonly attributes: Readonly<Record<string, readonly string[]>>;
      readonly assertionSigned: boolean;
      readonly responseSigned: boolean;
    }
  | { readonly ok: false; readonly error: string };

/** One SP of the pysaml2 process. */
export type Pysaml2Sp = {
  readonly entityId: string;
  /** Its metadata, as pysaml2 writes it. */
  readonly metadata: string;
  /** A signed HTTP-Redirect AuthnRequest, with a NameIDPolicy Format unless `nameIdFormat` is null. */
  authn(input: {
    nameIdFormat: string | null;
    relayState?: string;
  }): Promise<{ requestId: string; url: string }>;
  /** The SP's ACS receiving a Response (base64, as POSTed). */
  acs(input: { samlResponse: string; requestId: string | null }): Promise<Pysaml2Acs>;
  /** A signed HTTP-Redirect LogoutRequest for a subject an earlier `acs` signed in. */
  logout(input: { nameId: string }): Promise<{ url: string }>;
  /** The SP's SLO endpoint receiving the IdP's LogoutResponse (the SAMLResponse query value). */
  logoutResponse(input: { samlResponse: string }): Promise<{ ok: boolean; status: string }>;
  /** The SP's SLO endpoint receiving the IdP's LogoutRequest for `nameId` (the SAMLRequest query value). */
  logoutRequest(input: { samlRequest: string; nameId: string }): Promise<{ ok: boolean; status: string }>;
};

export type Pysaml2 = {
  /** Sets up one more SP in the process. */
  configure(configuration: Pysaml2Configuration): Promise<Pysaml2Sp>;
  close(): Promise<void>;
};

const script = new URL("../peers/pysaml2_sp.py", import.meta.url).pathname;

/** Starts pysaml2; a missing Debian package fails the test (never a skip). */
export const startPysaml2 = (): Pysaml2 => {
  const python = requireTool("python");
  requireTool("pysaml2");
  const child: ChildProcessWithoutNullStreams = spawn(python, [script], { stdio: "pipe" });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  // One command at a time: each waits for the answer to the one before.
  let queue: Promise<unknown> = Promise.resolve();
  const send = <T>(op: string, input: object): Promise<T> => {
    const next = queue.then(async () => {
      child.stdin.write(`${JSON.stringify({ op, ...input })}\n`);
      const line = await lines.next();
      if (line.done) throw new Error(`pysaml2_sp.py exited: ${stderr}`);
      const answer = JSON.parse(line.value) as T & { failed?: string; trace?: string };
      if (answer.failed !== undefined)
        throw new Error(`pysaml2 ${op}: ${answer.failed}\n${answer.trace ?? ""}`);
      return answer as T;
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    configure: async (configuration) => {
      const { metadata } = await send<{ metadata: string }>("configure", configuration);
      const { entityId } = configuration;
      return {
        entityId,
        metadata,
        authn: (input) => send("authn", { entityId, ...input }),
        acs: (input) => send("acs", { entityId, ...input }),
        logout: (input) => send("logout", { entityId, ...input }),
        logoutResponse: (input) => send("logoutResponse", { entityId, ...input }),
        logoutRequest: (input) => send("logoutRequest", { entityId, ...input }),
      };
    },
    close: () =>
      new Promise((done) => {
        child.once("exit", () => done());
        child.stdin.end();
      }),
  };
};
