import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { assertCode, rejectedAppError } from "../../../test/support/errors.ts";
import { createSecretBox, generateMasterKey, parseMasterKey } from "../../crypto/secret-box.ts";
import type { Store } from "../../domain/ports.ts";
import { fixedClock } from "../../lib/clock.ts";
import type { ErrorCode } from "../../lib/errors.ts";
import { sequentialIds } from "../../lib/ids.ts";
import { openStore } from "../../store/open-store.ts";
import { type Actor, type ServiceContext, silentLog } from "../context.ts";
import {
  addGroupMember,
  createGroup,
  deleteGroup,
  getGroup,
  removeGroupMember,
  updateGroup,
} from "./groups.ts";
import { importCsv } from "./import.ts";
import {
  authenticateUser,
  createUser,
  deleteUser,
  disableUser,
  getUser,
  listUsers,
  setPassword,
  updateUser,
} from "./users.ts";

const actor: Actor = { name: "alice", kind: "admin" };
const secret = "s3cret-Passphrase";

/** Refused with the code, the error naming the field first (and saying what `message` says). */
const refuses = async (work: Promise<unknown>, code: ErrorCode, field?: string, message?: RegExp) => {
  const error = await rejectedAppError(work);
  assertCode(error, code, message);
  if (field !== undefined) assert.equal(error.details[0]?.field, field, error.message);
};

describe("directory service", () => {
  let dir: string;
  let store: Store;
  let context: ServiceContext;
  const clock = fixedClock("2026-05-01T10:00:00.000Z");

  /** Everything the directory holds, to show a refused call changed nothing. */
  const snapshot = async () => ({
    users: await store.directory.listUsers({ limit: 1000 }),
    groups: await store.directory.listGroups(),
    changes: await store.directory.listChanges({ afterSeq: 0, limit: 10_000 }),
  });
  const changesSince = async (seq: number) =>
    (await store.directory.listChanges({ afterSeq: seq, limit: 1000 })).map(
      (c) => `${c.operation} ${c.entity} ${c.id}`,
    );
  const lastSeq = async () =>
    (await store.directory.listChanges({ afterSeq: 0, limit: 10_000 })).at(-1)?.seq ?? 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "portico-dir-"));
    store = openStore(`sqlite:${join(dir, "portico.db")}`);
    await store.migrate();
    context = {
      store,
      clock,
      ids: sequentialIds(),
      secretBox: createSecretBox(parseMasterKey(generateMasterKey())),
      log: silentLog,
      baseUrl: "https://idp.example.com",
      entityId: "https://idp.example.com",
      sso: { sessionLifetimeMinutes: 480, sessionIdleMinutes: 60, clockSkewSeconds: 180 },
    };
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => clock.advance(1000));

  it("creates a user with canonical attribute names, a scrypt hash, a change and an audit event without the password", async () => {
    const view = await createUser(context, actor, {
      uid: "ada",
      password: secret,
      attributes: { Mail: "ada@acme.com", GIVENNAME: "Ada", sn: ["Lovelace"], costCenter: ["R&D", "Math"] },
    });
    assert.deepEqual(view, {
      uid: "ada",
      enabled: true,
      hasPassword: true,
      groups: [],
      createdAt: "2026-05-01T10:00:01.000Z",
      updatedAt: "2026-05-01T10:00:01.000Z",
      mail: "ada@acme.com",
      givenName: "Ada",
      sn: "Lovelace",
      costCenter: ["R&D", "Math"],
    });
    const stored = await store.directory.getUser("ada");
    assert.match(stored?.passwordHash ?? "", /^scrypt\$/);
    assert.deepEqual(stored?.attributes.mail, ["ada@acme.com"], "stored as mail, so SSO finds it");
    assert.deepEqual(await changesSince(0), ["create user ada"]);
    const [event] = await store.auditLog.list({ limit: 1 });
    assert.equal(event?.action, "directoryUser.create");
    assert.equal(event?.actor, "alice");
    assert.ok(!JSON.stringify(event).includes(secret));
    await refuses(createUser(context, actor, { uid: "ADA" }), "DIR_USER_EXISTS");
  });

  const badUsers: [string, Parameters<typeof createUser>[2], string, RegExp][] = [
    ["a uid with a space", { uid: "ada lovelace" }, "uid", /letters, digits/],
    ["a uid of 129 characters", { uid: "a".repeat(129) }, "uid", /1–128/],
    [
      "an attribute name with an underscore",
      { uid: "x", attributes: { cost_center: "1" } },
      "cost_center",
      /attribute name/,
    ],
    [
      "a reserved name as an attribute",
      { uid: "x", attributes: { hasPassword: "yes" } },
      "hasPassword",
      /reserved/,
    ],
    [
      "userPassword as an attribute",
      { uid: "x", attributes: { userPassword: "p" } },
      "userPassword",
      /set password/,
    ],
    ["a control character", { uid: "x", attributes: { title: "Boss\u0001" } }, "title", /U\+0001.*XML 1\.0/],
    ["a lone surrogate", { uid: "x", attributes: { sn: ["ok", "\uD800"] } }, "sn[1]", /U\+D800/],
    ["a value of 4097 characters", { uid: "x", attributes: { title: "t".repeat(4097) } }, "title", /4096/],
    ["a mail that is no address", { uid: "x", attributes: { mail: "ada at acme" } }, "mail", /email/],
    ["an empty value", { uid: "x", attributes: { sn: "" } }, "sn", /empty/],
    ["one attribute twice", { uid: "x", attributes: { sn: "a", SN: "b" } }, "SN", /twice/],
    ["a 7-character password", { uid: "x", password: "1234567" }, "password", /at least 8/],
    ["the uid as password", { uid: "grace.hopper", password: "Grace.Hopper" }, "password", /uid/],
    ["an unknown group", { uid: "x", groups: ["nope"] }, "groups[0]", /no group "nope"/],
  ];
  for (const [name, input, field, message] of badUsers) {
    it(`refuses ${name} (DIR_INVALID naming ${field}) and stores nothing`, async () => {
      const before = await snapshot();
      await refuses(createUser(context, actor, input), "DIR_INVALID", field, message);
      assert.deepEqual(await snapshot(), before);
    });
  }

  it("updates with PATCH semantics: given attributes replace, null removes, the rest stays", async () => {
    await createUser(context, actor, {
      uid: "grace",
      attributes: { mail: "grace@acme.com", title: "Rear Admiral", department: "Navy" },
    });
    const seq = await lastSeq();
    const view = await updateUser(context, actor, "Grace", {
      attributes: { TITLE: ["Admiral"], department: null, mobile: "+1 555 0100" },
      enabled: false,
    });
    assert.equal(view.title, "Admiral");
    assert.equal(view.department, undefined);
    assert.equal(view.mail, "grace@acme.com");
    assert.equal(view.mobile, "+1 555 0100");
    assert.equal(view.enabled, false);
    assert.equal(view.hasPassword, false);
    assert.deepEqual(await changesSince(seq), ["update user grace"]);
    await refuses(
      updateUser(context, actor, "grace", { attributes: { mail: "bad" } }),
      "DIR_INVALID",
      "mail",
    );
    await refuses(updateUser(context, actor, "nobody", {}), "DIR_USER_NOT_FOUND");
  });

  it("authenticates enabled users with the right password only, ignoring the uid's case", async () => {
    await createUser(context, actor, { uid: "Linus", password: secret });
    assert.equal((await authenticateUser(context, "linus", secret))?.uid, "Linus");
    assert.equal(await authenticateUser(context, "linus", "wrong-password"), undefined);
    assert.equal(await authenticateUser(context, "nobody", secret), undefined);
    assert.equal(await authenticateUser(context, "grace", ""), undefined, "a user without a password");
    assert.equal(await authenticateUser(context, "bad uid!", secret), undefined);
    await disableUser(context, actor, "linus");
    assert.equal(await authenticateUser(context, "Linus", secret), undefined, "a disabled user");
    await updateUser(context, actor, "linus", { enabled: true });
    await setPassword(context, actor, "linus", "another-passphrase");
    assert.equal(await authenticateUser(context, "Linus", secret), undefined);
    assert.equal((await authenticateUser(context, "Linus", "another-passphrase"))?.uid, "Linus");
    const audit = JSON.stringify(await store.auditLog.list({ limit: 100 }));
    assert.ok(!audit.includes("another-passphrase") && !audit.includes(secret));
  });

  it("records a membership change as an update of the group and of each affected user", async () => {
    await createUser(context, actor, { uid: "bob" });
    let seq = await lastSeq();
    const group = await createGroup(context, actor, {
      cn: "Sales EMEA",
      description: "Sales",
      members: ["ADA", "bob"],
    });
    assert.deepEqual(group.members, ["ada", "bob"], "members take the stored uid");
    assert.deepEqual(await changesSince(seq), [
      "create group Sales EMEA",
      "update user ada",
      "update user bob",
    ]);
    assert.deepEqual((await getUser(context, "ada")).groups, ["Sales EMEA"]);

    seq = await lastSeq();
    await updateGroup(context, actor, "sales emea", { members: ["bob", "grace"] });
    assert.deepEqual(await changesSince(seq), [
      "update group Sales EMEA",
      "update user grace",
      "update user ada",
    ]);

    seq = await lastSeq();
    await removeGroupMember(context, actor, "Sales EMEA", "grace");
    await addGroupMember(context, actor, "Sales EMEA", "bob");
    assert.deepEqual(
      await changesSince(seq),
      ["update group Sales EMEA", "update user grace"],
      "adding a member twice changes nothing",
    );

    seq = await lastSeq();
    await updateUser(context, actor, "ada", { groups: ["sales emea"] });
    assert.deepEqual(await changesSince(seq), ["update user ada", "update group Sales EMEA"]);

    seq = await lastSeq();
    await deleteUser(context, actor, "bob");
    assert.deepEqual(await changesSince(seq), ["delete user bob", "update group Sales EMEA"]);
    assert.deepEqual((await getGroup(context, "Sales EMEA")).members, ["ada"]);

    seq = await lastSeq();
    await deleteGroup(context, actor, "SALES EMEA");
    assert.deepEqual(await changesSince(seq), ["delete group Sales EMEA", "update user ada"]);
    assert.deepEqual((await getUser(context, "ada")).groups, []);
  });

  it("refuses a group member that does not exist, naming it, and stores nothing", async () => {
    const before = await snapshot();
    await refuses(
      createGroup(context, actor, { cn: "eng", members: ["ada", "ghost"] }),
      "DIR_INVALID",
      "members[1]",
      /ghost/,
    );
    await refuses(createGroup(context, actor, { cn: " eng" }), "DIR_INVALID", "cn");
    assert.deepEqual(await snapshot(), before);
  });

  it("lists users a page at a time and filters on uid, mail or cn", async () => {
    for (const uid of ["p1", "p2", "p3"]) {
      await createUser(context, actor, {
        uid,
        attributes: { cn: `Paged ${uid}`, mail: `${uid}@paging.example` },
      });
    }
    const first = await listUsers(context, { limit: 2 });
    const second = await listUsers(context, { limit: 2, after: first.at(-1)?.uid });
    assert.equal(first.length, 2);
    assert.notEqual(second[0]?.uid, first[1]?.uid);
    assert.deepEqual(
      (await listUsers(context, { filter: "PAGING.example" })).map((u) => u.uid),
      ["p1", "p2", "p3"],
    );
    assert.deepEqual(
      (await listUsers(context, { filter: "paged", limit: 2, after: "p1" })).map((u) => u.uid),
      ["p2", "p3"],
    );
  });

  it("imports a CSV in one go: attributes, several values, passwords, enabled and groups (created when new)", async () => {
    const seq = await lastSeq();
    const result = await importCsv(
      context,
      actor,
      [
        "uid,mail,givenName,sn,password,enabled,groups,telephoneNumber",
        `katherine,katherine@nasa.gov,Katherine,Johnson,${secret},true,Flight Research;Computing,+1 555 0101;+1 555 0102`,
        'dorothy,dorothy@nasa.gov,Dorothy,"Vaughan, Sr.",,FALSE,computing,',
      ].join("\n"),
    );
    assert.deepEqual(result, {
      imported: 2,
      users: ["katherine", "dorothy"],
      groupsCreated: ["Flight Research", "Computing"],
    });
    const katherine = await getUser(context, "katherine");
    assert.deepEqual(katherine.telephoneNumber, ["+1 555 0101", "+1 555 0102"]);
    assert.deepEqual(katherine.groups, ["Computing", "Flight Research"]);
    assert.equal((await authenticateUser(context, "katherine", secret))?.uid, "katherine");
    const dorothy = await getUser(context, "dorothy");
    assert.equal(dorothy.enabled, false);
    assert.equal(dorothy.hasPassword, false);
    assert.equal(dorothy.sn, "Vaughan, Sr.");
    assert.deepEqual((await getGroup(context, "computing")).members, ["dorothy", "katherine"]);
    assert.deepEqual(await changesSince(seq), [
      "create user katherine",
      "create group Flight Research",
      "create group Computing",
      "create user dorothy",
    ]);
    assert.ok(!JSON.stringify(await store.auditLog.list({ limit: 100 })).includes(secret));
  });

  const badCsv: [string, string, string, RegExp][] = [
    ["no uid column", "mail\nx@acme.com\n", "line 1", /uid column/],
    ["a bad attribute column", "uid,cost_center\nx,1\n", "line 1, column 2 (cost_center)", /attribute name/],
    ["a bad mail", "uid,mail\nok1,ok1@acme.com\nok2,not-a-mail\n", "line 3, column mail", /email/],
    ["a short password", "uid,password\nok1,short\n", "line 2, column password", /at least 8/],
    ["a bad enabled", "uid,enabled\nok1,yes\n", "line 2, column enabled", /true or false/],
    ["a control character", 'uid,title\nok1,"a\u0007b"\n', "line 2, column title", /U\+0007/],
    ["a missing field", "uid,mail\nok1,ok1@acme.com\nok2\n", "line 3", /1 fields; the header has 2/],
    ["a uid twice", "uid\nok1\nOK1\n", "line 3, column uid", /also on line 2/],
    ["an existing uid", "uid\nok1\nada\n", "line 3, column uid", /already exists/],
    ["an unclosed quote", 'uid,sn\nok1,"x\n', "line 2", /not closed/],
  ];
  for (const [name, csv, field, message] of badCsv) {
    it(`imports nothing from a CSV with ${name} (DIR_CSV_INVALID naming ${field})`, async () => {
      const before = await snapshot();
      await refuses(importCsv(context, actor, csv), "DIR_CSV_INVALID", field, message);
      assert.deepEqual(await snapshot(), before);
    });
  }
});
