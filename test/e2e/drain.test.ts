import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { killLeftovers, portReleased, startServe, stopProcess } from "../support/processes.ts";
import { basicAuth } from "../support/server.ts";
import { readPostForm } from "../support/sso.ts";

const password = "drain-test-admin-password";

/** An HTTP/1.1 request written by hand, so the test decides when its body ends. */
const openRequest = (port: number, head: string): Promise<{ socket: Socket; answer: Promise<string> }> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(head);
      resolve({ socket, answer });
    });
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    const answer = new Promise<string>((done) => socket.on("close", () => done(text)));
    socket.once("error", reject);
  });

const waitFor = async (what: string, check: () => Promise<boolean>): Promise<void> => {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`${what} did not happen in time`);
};

describe("SIGTERM to portico serve: a graceful drain", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-drain-"));
  after(() => {
    killLeftovers();
    rmSync(dir, { recursive: true, force: true });
  });

  it("turns not-ready first, then refuses new connections, finishes the sign-in in flight and exits 0", async () => {
    const serving = await startServe(dir, {
      PORTICO_ADMIN_PASSWORD: password,
      PORTICO_DRAIN_SECONDS: "2",
      PORTICO_SHUTDOWN_TIMEOUT_SECONDS: "20",
    });
    const runtimePort = Number(new URL(serving.runtimeUrl).port);
    const adminPort = Number(new URL(serving.adminUrl).port);
    const created = await fetch(`${serving.adminUrl}/pf-admin-api/v1/directory/users`, {
      method: "POST",
      headers: {
        authorization: basicAuth("admin", password),
        "content-type": "application/json",
        "x-xsrf-header": "drain",
      },
      body: JSON.stringify({ uid: "ada", password: "ada-password-1", mail: "ada@acme.example.com" }),
    });
    assert.equal(created.status, 201, await created.text());
    assert.equal((await fetch(`${serving.runtimeUrl}/healthz/ready`)).status, 200);

    // A browser that is slow to send its password: the request has begun when SIGTERM arrives.
    const form = await fetch(`${serving.runtimeUrl}/idp/login`);
    const cookie = (form.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const body = new URLSearchParams({
      resume: readPostForm(await form.text()).resume ?? "",
      username: "ada",
      password: "ada-password-1",
    }).toString();
    const half = Math.floor(body.length / 2);
    const slow = await openRequest(
      runtimePort,
      `POST /idp/login HTTP/1.1\r\nHost: localhost:${runtimePort}\r\nCookie: ${cookie}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, half)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    const signalled = Date.now();
    const exited = stopProcess(serving.child, "SIGTERM");

    // Readiness goes first, on both listeners, while the listeners still accept.
    await waitFor(
      "readiness 503",
      async () => (await fetch(`${serving.runtimeUrl}/healthz/ready`)).status === 503,
    );
    const ready = await fetch(`${serving.adminUrl}/healthz/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: "draining", database: "up" });
    assert.equal((await fetch(`${serving.runtimeUrl}/pf/heartbeat.ping`)).status, 503);
    assert.equal((await fetch(`${serving.runtimeUrl}/healthz/live`)).status, 200, "still live");

    // Then the listeners stop accepting, while the sign-in in flight is still open.
    assert.ok(await portReleased(runtimePort), `new connections are refused:\n${serving.output()}`);
    assert.ok(await portReleased(adminPort));
    assert.ok(Date.now() - signalled >= 1900, "not before the drain period is over");
    assert.equal(slow.socket.destroyed, false, "the request in flight is not cut off");

    slow.socket.write(body.slice(half));
    const answer = await slow.answer;
    assert.match(answer, /^HTTP\/1\.1 200 /, answer.slice(0, 300));
    assert.match(answer, /You are signed in/);
    assert.match(answer, /set-cookie: PORTICO_SSO=/i, "the session it started is the browser's");

    assert.equal(await exited, 0, `a clean exit:\n${serving.output()}`);
    assert.ok(Date.now() - signalled < 15_000, "within a bounded time");
    assert.match(serving.output(), /Received SIGTERM; shutting down/);
    assert.match(serving.output(), /Draining: \/healthz\/ready answers 503 for 2 s/);
  });
});
