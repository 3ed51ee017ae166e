import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { rejectsWithCode } from "../../../test/support/errors.ts";
import { openServiceContext, testActor } from "../../../test/support/service-context.ts";
import { fixedClock } from "../../lib/clock.ts";
import { revealTargetSetting } from "../connection-secrets.ts";
import type { ServiceContext } from "../context.ts";
import { sweepExpired } from "../housekeeping.ts";
import { generateSigningKey, setDefaultSigningKey } from "../keys.ts";
import { getDraft, keepDraft, saveDraft, startDraft } from "./connection-drafts.ts";
import { consoleSessionPolicy } from "./sessions.ts";

const metadata = readFileSync(
  new URL("../../../test/fixtures/metadata/SAMLSP-0LE5g000000CaJx.xml", import.meta.url),
);
const typedSecret = "typed-into-the-draft-9f3c";

/** Drafts kept in the database: sealed secrets, the limit per session, the idle end, the session's end. */
describe("Create Connection drafts", () => {
  const clock = fixedClock("2026-03-02T09:00:00.000Z");
  let context: ServiceContext;
  let dispose: () => Promise<void>;
  const start = (sessionId: string) =>
    startDraft(context, sessionId, { usesTemplate: true, templateId: "salesforce-provisioner", metadata });
  const signIn = (id: string) =>
    context.store.consoleSessions.create({
      id,
      username: "admin",
      csrfToken: "form-token",
      createdAt: clock.now().toISOString(),
      lastSeenAt: clock.now().toISOString(),
      expiresAt: new Date(clock.now().getTime() + consoleSessionPolicy.lifetimeMs).toISOString(),
    });

  before(async () => {
    ({ context, dispose } = await openServiceContext({ clock }));
    await generateSigningKey(context, testActor, { id: "signing" });
    await setDefaultSigningKey(context, testActor, "signing");
  });
  after(() => dispose());

  it("stores a secret typed into a draft sealed, and saves it as the connection's secret", async () => {
    await signIn("session-1");
    const draft = await start("session-1");
    draft.connection.outboundProvision?.targetSettings.push({ name: "CLIENT_SECRET", value: typedSecret });
    await keepDraft(context, draft);
    const stored = await context.store.consoleDrafts.get(draft.id);
    assert.ok(stored);
    assert.ok(!stored.state.includes(typedSecret), "never in clear in the database");

    const again = await getDraft(context, "session-1", draft.id);
    const field = again.connection.outboundProvision?.targetSettings.find((s) => s.name === "CLIENT_SECRET");
    assert.ok(field?.encryptedValue);
    assert.equal(revealTargetSetting(context, field), typedSecret);
    again.completed = new Set(["template", "type", "options", "general", "browser-sso", "credentials"]);
    const saved = await saveDraft(context, testActor, again, false);
    const record = await context.store.connections.get(saved.id ?? "");
    const kept = record?.document.outboundProvision?.targetSettings.find((s) => s.name === "CLIENT_SECRET");
    assert.ok(kept);
    assert.equal(revealTargetSetting(context, kept), typedSecret, "Save keeps the sealed secret");
    await rejectsWithCode(
      getDraft(context, "session-1", draft.id),
      "CONSOLE_DRAFT_NOT_FOUND",
      /start it again/,
    );
  });

  it("keeps at most five drafts per session, dropping the least recently used", async () => {
    await signIn("session-2");
    const drafts = [];
    for (let i = 0; i < 6; i++) {
      drafts.push(await start("session-2"));
      clock.advance(consoleSessionPolicy.touchEveryMs);
    }
    assert.equal((await context.store.consoleDrafts.listForSession("session-2")).length, 5);
    await rejectsWithCode(getDraft(context, "session-2", drafts[0]?.id ?? ""), "CONSOLE_DRAFT_NOT_FOUND");
    await getDraft(context, "session-2", drafts[1]?.id ?? "");
    await rejectsWithCode(
      getDraft(context, "another-session", drafts[1]?.id ?? ""),
      "CONSOLE_DRAFT_NOT_FOUND",
      undefined,
    );
  });

  it("ends a draft left idle, and every draft of a session that ends", async () => {
    await signIn("session-3");
    const idle = await start("session-3");
    clock.advance(consoleSessionPolicy.idleMs + 1);
    await rejectsWithCode(getDraft(context, "session-3", idle.id), "CONSOLE_DRAFT_NOT_FOUND");

    const left = await start("session-3");
    clock.advance(consoleSessionPolicy.idleMs + 1);
    await context.store.consoleSessions.touch("session-3", clock.now().toISOString());
    await sweepExpired(context);
    assert.ok(await context.store.consoleSessions.get("session-3"), "the session goes on");
    assert.equal(
      await context.store.consoleDrafts.get(left.id),
      undefined,
      "the sweep forgets the idle draft",
    );

    const open = await start("session-3");
    await context.store.consoleSessions.delete("session-3");
    await rejectsWithCode(getDraft(context, "session-3", open.id), "CONSOLE_DRAFT_NOT_FOUND");
    await rejectsWithCode(keepDraft(context, open), "CONSOLE_DRAFT_NOT_FOUND");
  });
});
