/**
 * The CLI reports failures with the one error registry (src/lib/errors.ts, docs/errors.md): a
 * line that names the code for people, `{"error": {"code", "message"}}` for scripts that asked
 * for JSON, and never a code the registry does not hold.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { errorCatalogue, isErrorCode } from "../../src/lib/errors.ts";
import { type CliResult, type CliTestServer, runPortico, startCliServer } from "../support/cli.ts";

const root = resolve(new URL("../..", import.meta.url).pathname);

const sourcesOf = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesOf(path);
    return path.endsWith(".ts") && !path.endsWith(".test.ts") ? [path] : [];
  });

const withoutComments = (text: string): string =>
  text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");

/** The error document a `--json` failure prints on standard error. */
const jsonFailure = (result: CliResult): { code: string; message: string } => {
  const parsed = JSON.parse(result.stderr) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(parsed), ["error"]);
  return parsed.error;
};

describe("CLI failures and the error registry", () => {
  it("rule: src/cli raises only catalogue codes, and bakes no code into a message", () => {
    // The registry's areas (CLI, CONN, REQ, …): a literal that starts `AREA_SOMETHING:` is a code
    // written into a message by hand, which no type checks. PORTICO_ADMIN_PORT: is a variable.
    const areas = [...new Set(Object.keys(errorCatalogue).map((code) => code.split("_")[0]))].join("|");
    const handWritten = new RegExp(`["'\`](?:${areas})_[A-Z0-9_]+:`);
    const offenders: string[] = [];
    for (const file of sourcesOf(join(root, "src/cli"))) {
      const code = withoutComments(readFileSync(file, "utf8"));
      const name = relative(root, file);
      if (handWritten.test(code)) offenders.push(`${name}: a code written into a message`);
      if (/\bnew Error\(|extends Error\b|\bthrow ["'`]/.test(code))
        offenders.push(`${name}: a failure that is not an AppError`);
      for (const m of code.matchAll(/new AppError\(\s*["']([^"']+)["']/g))
        if (!isErrorCode(m[1])) offenders.push(`${name}: ${m[1]} is not in the registry`);
    }
    assert.deepEqual(offenders, []);
  });

  it("names CLI_USAGE for commander's own usage errors, as a line or as JSON, and exits 2", async () => {
    const line = await runPortico(["connections", "get"]);
    assert.equal(line.code, 2);
    assert.equal(
      line.stderr,
      "portico: CLI_USAGE: missing required argument 'id' (run with --help for usage)\n",
    );
    const json = await runPortico(["connections", "list", "--json", "--bogus"]);
    assert.equal(json.code, 2);
    assert.equal(json.stdout, "");
    assert.deepEqual(jsonFailure(json), {
      code: "CLI_USAGE",
      message: "unknown option '--bogus' (run with --help for usage)",
    });
  });

  describe("against a running server", () => {
    let server: CliTestServer;
    before(async () => {
      server = await startCliServer();
    });
    after(() => server.dispose());

    it("passes the API's code through: a line for people, JSON for --json, stdout left empty", async () => {
      const line = await server.run(["connections", "get", "nope"]);
      assert.equal(line.code, 1);
      assert.match(line.stderr, /^portico: CONN_NOT_FOUND: [^\n]+ \(HTTP 404\)\n$/);
      const json = await server.run(["users", "get", "nobody", "--json"]);
      assert.equal(json.code, 1);
      assert.equal(json.stdout, "");
      const error = jsonFailure(json);
      assert.equal(error.code, "DIR_USER_NOT_FOUND");
      assert.match(error.message, /\(HTTP 404\)$/);
    });

    it("reports a file it cannot read as CLI_USAGE in JSON too", async () => {
      const result = await server.run(["connections", "create", "--file", "missing.json", "--json"]);
      assert.equal(result.code, 2);
      assert.deepEqual(jsonFailure(result), {
        code: "CLI_USAGE",
        message: "cannot read missing.json: no such file",
      });
    });
  });

  describe("against something that is not Portico's admin API", () => {
    let peer: Server;
    let url: string;
    before(async () => {
      // What a proxy or a newer server may answer: an HTML error page, or a code we do not know.
      peer = createServer((request, response) => {
        if (request.url?.includes("/keyPairs/signing")) {
          response.writeHead(502, { "content-type": "text/html" }).end("<html>Bad gateway</html>");
        } else {
          response
            .writeHead(409, { "content-type": "application/problem+json" })
            .end(JSON.stringify({ code: "FUTURE_CODE", detail: "a newer server's refusal" }));
        }
      });
      await new Promise<void>((done) => peer.listen(0, "127.0.0.1", done));
      url = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((done) => peer.close(() => done())));

    it("reports an answer with no catalogue code as CLI_API_ERROR, naming what it did say", async () => {
      const page = await runPortico(["keys", "list", "--url", url, "--password", "x"]);
      assert.equal(page.code, 1);
      assert.equal(page.stderr, "portico: CLI_API_ERROR: Bad Gateway (HTTP 502)\n");
      const future = await runPortico(["connections", "list", "--url", url, "--password", "x", "--json"]);
      assert.equal(future.code, 1);
      assert.deepEqual(jsonFailure(future), {
        code: "CLI_API_ERROR",
        message: "FUTURE_CODE: a newer server's refusal (HTTP 409)",
      });
    });

    it("reports an admin API that does not answer as CLI_CONNECTION_FAILED", async () => {
      const closed = createServer();
      await new Promise<void>((done) => closed.listen(0, "127.0.0.1", done));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((done) => closed.close(() => done()));
      const result = await runPortico(["keys", "list", "--url", `http://127.0.0.1:${port}`, "--json"]);
      assert.equal(result.code, 1);
      const error = jsonFailure(result);
      assert.equal(error.code, "CLI_CONNECTION_FAILED");
      assert.match(error.message, /cannot reach the admin API/);
    });
  });
});
