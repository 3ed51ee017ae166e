/**
 * Provisioning at scale (issue 8, "Performance"): the built-in directory into the emulated org.
 *
 *   npm run bench:provision [-- --users 10000,100000] [--changes 10] [--database sqlite|postgres]
 *
 * For each size: the initial sync (first cycle of a new channel: every user created) — seconds,
 * users/s, Salesforce API calls per user — and an incremental cycle after `--changes` users
 * change — seconds and API calls; and this process's peak RSS. Portico's engine runs in this
 * process; the emulator runs in its own (so its memory is not counted), started from
 * emulator/salesforce/main.ts. Targets: ≤ 0.02 calls/user and ≥ 500 users/s initially; ≤ 2 s and
 * ≤ 5 calls incrementally; ≤ 300 MB peak RSS at 100,000 users.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { DirectoryUser } from "../src/domain/ports.ts";
import { defaultBuiltinMapping } from "../src/provisioning/model/channel-config.ts";
import { runChannel } from "../src/services/provisioning/channels.ts";
import { openStore } from "../src/store/open-store.ts";
import { benchOrg, mb } from "./emulator-process.ts";
import { benchContext, createBenchConnection } from "./engine-setup.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? (args[at + 1] ?? fallback) : fallback;
};
const sizes = flag("users", "10000,100000").split(",").map(Number);
const changes = Number(flag("changes", "10"));

const userId = (i: number) => `u${String(i).padStart(6, "0")}`;

/** The directory, written in bulk by a process of its own, so its memory is not counted as Portico's. */
const seed = async (database: string, users: number) => {
  const store = openStore(database);
  await store.migrate();
  const at = new Date().toISOString();
  await store.transaction(async (repos) => {
    for (let i = 0; i < users; i++) {
      const user: DirectoryUser = {
        uid: userId(i),
        enabled: true,
        attributes: {
          mail: [`${userId(i)}@bench.example.com`],
          givenName: ["Bench"],
          sn: [`User ${i}`],
          title: ["Analyst"],
        },
        passwordHash: null,
        createdAt: at,
        updatedAt: at,
      };
      await repos.directory.createUser(user);
    }
  });
  await store.close();
};

/** Portico's part, in a process of its own: the connection, the initial sync, changes, an incremental cycle. */
const engine = async (database: string, emulatorUrl: string, users: number) => {
  const store = openStore(database);
  const context = benchContext(store);
  try {
    await createBenchConnection(context, emulatorUrl, {
      name: "all",
      active: true,
      maxThreads: 4,
      channelSource: { dataSource: { id: "builtin" } },
      attributeMapping: defaultBuiltinMapping(),
    });
    const rssBefore = process.resourceUsage().maxRSS;
    const startedAt = performance.now();
    const initial = await runChannel(context, "bench", "all");
    const initialSeconds = (performance.now() - startedAt) / 1000;
    const created = initial.summary.counts.CREATE ?? 0;

    const changedAt = new Date().toISOString();
    await store.transaction(async (repos) => {
      for (let i = 0; i < changes; i++) {
        const uid = userId(Math.floor((i * users) / changes));
        const user = await repos.directory.getUser(uid);
        if (!user) continue;
        await repos.directory.updateUser({
          ...user,
          attributes: { ...user.attributes, title: ["Principal"] },
          updatedAt: changedAt,
        });
        await repos.directory.appendChange({ at: changedAt, entity: "user", id: uid, operation: "update" });
      }
    });
    const incrementalStart = performance.now();
    const incremental = await runChannel(context, "bench", "all");
    const incrementalSeconds = (performance.now() - incrementalStart) / 1000;
    return {
      users,
      created,
      initialSeconds,
      usersPerSecond: created / initialSeconds,
      callsPerUser: initial.summary.apiCalls / Math.max(1, created),
      initialCalls: initial.summary.apiCalls,
      incrementalSeconds,
      incrementalCalls: incremental.summary.apiCalls,
      updated: incremental.summary.counts.UPDATE ?? 0,
      peakRss: process.resourceUsage().maxRSS,
      rssBefore,
      failures: initial.summary.failures + incremental.summary.failures,
    };
  } finally {
    await store.close();
  }
};

/** This script again, as a child with `childArgs`; resolves to the JSON it prints. */
const child = (childArgs: string[]) =>
  new Promise<Awaited<ReturnType<typeof engine>>>((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", "bench/provision.ts", ...childArgs], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    proc.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out || "{}")) : reject(new Error(`bench child exited ${code}`)),
    );
  });

const measure = async (users: number) => {
  const emulator = await benchOrg(users);
  const dir = mkdtempSync(join(tmpdir(), "portico-bench-"));
  const database = `sqlite:${join(dir, "portico.db")}`;
  try {
    await child(["--seed", database, String(users)]);
    return await child(["--engine", database, emulator.url, String(users)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    emulator.child.kill("SIGTERM");
  }
};

if (args[0] === "--seed") {
  await seed(args[1] ?? "", Number(args[2]));
} else if (args[0] === "--engine") {
  process.stdout.write(JSON.stringify(await engine(args[1] ?? "", args[2] ?? "", Number(args[3]))));
} else {
  for (const users of sizes) {
    const r = await measure(users);
    const ok = (good: boolean) => (good ? "ok" : "MISSED");
    process.stdout.write(
      [
        `${users.toLocaleString("en")} directory users (${r.failures} failures)`,
        `  initial sync     ${r.initialSeconds.toFixed(1)} s, ${Math.round(r.usersPerSecond)} users/s [target ≥ 500: ${ok(r.usersPerSecond >= 500)}], ${r.initialCalls} API calls = ${r.callsPerUser.toFixed(4)} per user [target ≤ 0.02: ${ok(r.callsPerUser <= 0.02)}]`,
        `  incremental      ${r.updated} of ${changes} changed users updated in ${r.incrementalSeconds.toFixed(2)} s [target ≤ 2 s: ${ok(r.incrementalSeconds <= 2)}], ${r.incrementalCalls} API calls [target ≤ 5: ${ok(r.incrementalCalls <= 5)}]`,
        `  peak RSS         ${mb(r.peakRss)} in Portico's process (${mb(r.rssBefore)} before the first cycle)${users >= 100_000 ? ` [target ≤ 300 MB: ${ok(r.peakRss <= 300 * 1024)}]` : ""}`,
        "",
      ].join("\n"),
    );
  }
}
