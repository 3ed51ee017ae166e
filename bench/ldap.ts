/**
 * LDAP at scale (issue 9, "Performance"): a real slapd into the emulated org, and sign-ins by bind.
 *
 *   npm run bench:ldap [-- --users 50000] [--changes 10] [--seconds 10] [--concurrency 4]
 *
 * 1. A full pass of a channel over `--users` LDAP users (paged: the service account may see only
 *    20 entries in a plain search) into the emulator: seconds, users/s, API calls per user, and
 *    the peak RSS of Portico's process. Target: ≤ 300 MB, through the incremental pass too.
 * 2. An incremental pass after `--changes` users' entries change: the LDAP entries slapd sent
 *    for it, counted by slapd itself (cn=Monitor's entries-sent counter; nothing else talks to
 *    slapd meanwhile). Target: only the changed entries.
 * 3. Sign-ins by bind per second, Portico's search-then-bind against raw ldapts binds measured in
 *    the same run (bench/ldap-sign-in.ts).
 *
 * slapd (its own process, the tests' harness, the users written with slapadd before it starts),
 * the emulator (its own process) and Portico's engine (its own process, bench/ldap-engine.ts)
 * are apart, so the RSS is Portico's alone.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Client } from "ldapts";
import {
  adminDn,
  adminPassword,
  baseDn,
  entry,
  groupDn,
  type Slapd,
  startSlapd,
  bulkUid as uidOf,
  userDn,
} from "../test/support/slapd.ts";
import { benchOrg, mb } from "./emulator-process.ts";
import type { EngineMessage, PassFigures } from "./ldap-engine.ts";
import { measureSignIns } from "./ldap-sign-in.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return Number(at >= 0 ? (args[at + 1] ?? fallback) : fallback);
};
const users = flag("users", "50000");
const changes = flag("changes", "10");
const seconds = flag("seconds", "10");
const concurrency = flag("concurrency", "4");

/** The channel's scope: a group of every numbered user (the seed's named people are left out). */
const scopeGroup = "bench-users";

const ok = (good: boolean) => (good ? "ok" : "MISSED");

/** The engine's messages, one at a time, in order. */
const messages = (child: ChildProcess) => {
  const queue: EngineMessage[] = [];
  const waiting: ((m: EngineMessage) => void)[] = [];
  child.on("message", (m: EngineMessage) => {
    const take = waiting.shift();
    if (take) take(m);
    else queue.push(m);
  });
  return <K extends EngineMessage["kind"]>(kind: K) =>
    new Promise<Extract<EngineMessage, { kind: K }>>((resolve, reject) => {
      const check = (m: EngineMessage) =>
        m.kind === kind
          ? resolve(m as Extract<EngineMessage, { kind: K }>)
          : reject(new Error(`the engine said ${m.kind}, not ${kind}`));
      const queued = queue.shift();
      if (queued) check(queued);
      else waiting.push(check);
      child.once("exit", (code) => reject(new Error(`the engine exited (${code}) before "${kind}"`)));
    });
};

/** Entries slapd sends from now on, less what reading its own counter costs. */
const entryCounter = async (slapd: Slapd) => {
  const a = await slapd.entriesSent();
  const b = await slapd.entriesSent();
  const overhead = b - a;
  return {
    overhead,
    since: async (start: number) => (await slapd.entriesSent()) - start - overhead,
    now: () => slapd.entriesSent(),
  };
};

/**
 * Users and groups stamped at or after `watermark`, asked as slapd's admin: what an incremental
 * cycle reads again by design when nothing else changed (modifyTimestamp has whole seconds, so a
 * change later in the watermark's second must not be lost: that second is read again).
 */
const atWatermark = async (slapd: Slapd, watermark: string) => {
  const client = new Client({ url: `ldap://127.0.0.1:${slapd.port}` });
  try {
    await client.bind(adminDn, adminPassword);
    const { searchEntries } = await client.search(baseDn, {
      filter: `(&(|(objectClass=inetOrgPerson)(objectClass=groupOfNames))(modifyTimestamp>=${watermark}))`,
      attributes: ["1.1"],
    });
    return searchEntries.map((e) => e.dn);
  } finally {
    await client.unbind();
  }
};

/** LDIF: `--changes` users, spread over the directory, get a new title. */
const changeLdif = () =>
  Array.from({ length: changes }, (_, i) => {
    const uid = uidOf(Math.floor((i * users) / changes));
    return [`dn: ${userDn(uid)}`, "changetype: modify", "replace: title", "title: Principal", ""].join("\n");
  }).join("\n");

const provisioning = async (slapd: Slapd) => {
  const emulator = await benchOrg(users);
  const dir = mkdtempSync(join(tmpdir(), "portico-bench-ldap-"));
  const engine = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "bench/ldap-engine.ts",
      `sqlite:${join(dir, "portico.db")}`,
      emulator.url,
      slapd.hostname,
      groupDn(scopeGroup),
    ],
    { stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const next = messages(engine);
  try {
    const ready = await next("ready");
    const counter = await entryCounter(slapd);
    const beforeFull = await counter.now();
    engine.send("full");
    const full = (await next("full")).figures;
    const fullEntries = await counter.since(beforeFull);
    const boundary = await atWatermark(slapd, full.watermark ?? "");
    await slapd.modify(changeLdif());
    const beforeIncremental = await counter.now();
    engine.send("incremental");
    const incremental = (await next("incremental")).figures;
    const incrementalEntries = await counter.since(beforeIncremental);
    return { ready, full, fullEntries, boundary, incremental, incrementalEntries };
  } finally {
    engine.kill("SIGTERM");
    emulator.child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
};

const describePass = (name: string, p: PassFigures) =>
  `${Object.entries(p.counts)
    .map(([type, n]) => `${n} ${type}`)
    .join(
      ", ",
    )}${p.failures > 0 ? `, ${p.failures} FAILED` : ""}${p.message ? ` (${p.message})` : ""} — ${name}`;

const loadStart = performance.now();
const slapd = await startSlapd({
  bulkUsers: users,
  preload: true,
  moreEntries: entry(
    {
      objectClass: "groupOfNames",
      cn: scopeGroup,
      member: Array.from({ length: users }, (_, i) => userDn(uidOf(i))),
    },
    groupDn(scopeGroup),
  ),
});
const loadSeconds = (performance.now() - loadStart) / 1000;
// slapadd stamps thousands of entries in each second of the load, and the incremental pass reads
// the watermark's second again (by design, see atWatermark): one change a second later, outside
// the scope, leaves that second to one entry, as in a directory whose last change was one edit.
await new Promise((resolve) => setTimeout(resolve, 1100));
await slapd.modify(
  [
    `dn: ${userDn("dave")}`,
    "changetype: modify",
    "replace: title",
    "title: Last change before the pass",
    "",
  ].join("\n"),
);
try {
  const total = users;
  const r = await provisioning(slapd);
  const created = r.full.counts.CREATE ?? 0;
  const updated = r.incremental.counts.UPDATE ?? 0;
  const expectedReads = changes + 1 + r.boundary.length;
  const signIns = await measureSignIns(slapd, { seconds, concurrency, users });
  process.stdout.write(
    [
      `${total.toLocaleString("en")} LDAP users in slapd (written with slapadd and started in ${loadSeconds.toFixed(1)} s)`,
      `  full pass        ${r.full.seconds.toFixed(1)} s (${r.full.cpuSeconds.toFixed(1)} s of the engine's CPU), ${Math.round(created / r.full.seconds)} users/s, ${r.full.apiCalls} API calls = ${(r.full.apiCalls / Math.max(1, created)).toFixed(4)} per user; ${describePass("full", r.full)}`,
      `                   ${r.fullEntries.toLocaleString("en")} LDAP entries read (${(r.fullEntries / total).toFixed(2)} per user)`,
      `  peak RSS         ${mb(r.full.peakRss)} in Portico's process after the full pass (${mb(r.ready.rss)} before it, ${mb(r.incremental.peakRss)} after the incremental) [target ≤ 300 MB through both passes: ${ok(r.incremental.peakRss <= 300 * 1024)}]`,
      `  incremental      ${updated} of ${changes} changed users updated in ${r.incremental.seconds.toFixed(2)} s, ${r.incremental.apiCalls} API calls; ${describePass("incremental", r.incremental)}`,
      `                   ${r.incrementalEntries} LDAP entries read: ${changes} changed users + 1 (the scope group's entry: who is in scope) + ${r.boundary.length} in the watermark's second, read again by design (${r.boundary.map((dn) => dn.split(",")[0]).join(", ")}) [target: only these ${expectedReads}: ${ok(r.incrementalEntries === expectedReads)}]`,
      `  sign-ins by bind ${Math.round(signIns.portico)}/s through Portico's search-then-bind, ${Math.round(signIns.raw)}/s raw ldapts binds = ${((100 * signIns.portico) / signIns.raw).toFixed(0)} % (${concurrency} in flight, best of 5 rounds${signIns.failures > 0 ? `, ${signIns.failures} FAILED` : ""})`,
      `                   rounds (raw/Portico): ${signIns.rounds.map((x) => `${Math.round(x.raw)}/${Math.round(x.portico)}`).join(", ")}`,
      "",
    ].join("\n"),
  );
  if (r.full.failures + r.incremental.failures + signIns.failures > 0) process.exitCode = 1;
} finally {
  await slapd.dispose();
}
