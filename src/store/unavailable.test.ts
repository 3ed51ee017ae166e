import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertCode, rejectedAppError } from "../../test/support/errors.ts";
import { isUnavailable, trackAvailability } from "./unavailable.ts";

const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

describe("database outages", () => {
  it("tells an unreachable database from a bad statement", () => {
    for (const outage of [
      withCode("ECONNREFUSED"),
      withCode("ECONNRESET"),
      withCode("57P01", "terminating connection due to administrator command"),
      withCode("57P03", "the database system is starting up"),
      withCode("08006"),
      withCode("SQLITE_BUSY", "database is locked"),
      new Error("Connection terminated unexpectedly"),
      new Error("timeout exceeded when trying to connect"),
    ])
      assert.equal(isUnavailable(outage), true, outage.message);
    for (const fault of [
      withCode("23505", "duplicate key value violates unique constraint"),
      withCode("42P01", 'relation "x" does not exist'),
      withCode("SQLITE_CONSTRAINT_UNIQUE"),
      new Error("Cannot use a pool after calling end on the pool"),
      "ECONNREFUSED",
      null,
    ])
      assert.equal(isUnavailable(fault), false, String(fault));
  });

  it("turns an outage into STORE_UNAVAILABLE and passes other errors through", async () => {
    const availability = trackAvailability();
    const error = await rejectedAppError(availability.guard(() => Promise.reject(withCode("ECONNREFUSED"))));
    assertCode(error, "STORE_UNAVAILABLE");
    assert.equal(error.retryable, true);
    const duplicate = withCode("23505");
    await assert.rejects(
      availability.guard(() => Promise.reject(duplicate)),
      (error) => error === duplicate,
    );
  });

  it("reports an outage once, however the database flaps as it stops, and its end once", async () => {
    const events: boolean[] = [];
    let time = 0;
    const availability = trackAvailability(
      ({ available }) => events.push(available),
      () => time,
    );
    const fail = () => availability.guard(() => Promise.reject(withCode("57P01"))).catch(() => {});
    const succeed = () => availability.guard(async () => "row");

    await succeed();
    await fail();
    time += 100;
    await succeed(); // a session PostgreSQL has not ended yet
    availability.lost(withCode("57P01")); // an idle pooled connection dropped
    await fail();
    time += 3000;
    await fail();
    assert.deepEqual(events, [false]);
    time += 2500;
    assert.equal(await succeed(), "row");
    await succeed();
    assert.deepEqual(events, [false, true]);
  });

  it("counts a new connection as the database being back at once", async () => {
    const events: boolean[] = [];
    const availability = trackAvailability(
      ({ available }) => events.push(available),
      () => 0,
    );
    availability.lost(withCode("ECONNREFUSED"));
    availability.connected();
    availability.connected();
    assert.deepEqual(events, [false, true]);
  });
});
