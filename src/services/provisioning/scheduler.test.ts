import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startScheduler } from "./scheduler.ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the provisioning scheduler", () => {
  it("runs a directory channel soon after a change, once for changes that arrive together", async () => {
    let seq = 1;
    const runs: string[] = [];
    const scheduler = startScheduler({
      listChannels: async () => [
        { key: "c1/builtin", followsDirectory: true },
        { key: "c1/ldap", followsDirectory: false },
      ],
      synchronizationFrequencyMs: async () => 3_600_000,
      lastDirectoryChange: async () => seq,
      runChannel: async (key, reason) => {
        runs.push(`${key}:${reason}`);
      },
      now: () => Date.now(),
      onError: (_key, error) => assert.fail(String(error)),
      tickMs: 20,
      settleMs: 30,
    });
    try {
      await wait(100);
      assert.deepEqual(runs.sort(), ["c1/builtin:schedule", "c1/ldap:schedule"], "each runs once at start");
      seq = 2;
      seq = 3;
      await wait(120);
      assert.deepEqual(
        runs.filter((r) => r.endsWith(":change")),
        ["c1/builtin:change"],
      );
    } finally {
      await scheduler.stop();
    }
  });

  it("never runs one channel twice at once, and runs it again for what came during a cycle", async () => {
    let concurrent = 0;
    let most = 0;
    let count = 0;
    let release = () => {};
    const scheduler = startScheduler({
      listChannels: async () => [],
      synchronizationFrequencyMs: async () => 3_600_000,
      lastDirectoryChange: async () => 0,
      runChannel: async () => {
        concurrent++;
        count++;
        most = Math.max(most, concurrent);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        concurrent--;
      },
      now: () => Date.now(),
      onError: (_key, error) => assert.fail(String(error)),
      tickMs: 1000,
    });
    try {
      const first = scheduler.trigger("c1/ch");
      const second = scheduler.trigger("c1/ch");
      const third = scheduler.trigger("c1/ch");
      await wait(10);
      release();
      await wait(10);
      release();
      await Promise.all([first, second, third]);
      assert.equal(most, 1);
      assert.equal(count, 2, "three requests during one cycle make one more cycle");
    } finally {
      await scheduler.stop();
    }
  });
});
