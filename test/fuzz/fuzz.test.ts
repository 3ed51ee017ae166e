/**
 * A short fuzz run in every `npm test` (`npm run fuzz` is the long campaign): SAML messages by
 * Redirect and POST to the pipeline and to the real SSO and SLO endpoints, SP metadata import,
 * and the admin API's JSON bodies. Seeded; a failure prints the seed and the shrunk input, and
 * `PORTICO_FUZZ_SEED=<seed>` replays it.
 */
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { TestServer } from "../support/server.ts";
import {
  adminProperty,
  endpointProperty,
  metadataProperty,
  pipelineProperty,
  startFuzzServer,
} from "./targets.ts";

const seed = Number(process.env.PORTICO_FUZZ_SEED ?? Date.now() % 1_000_000_000);

describe(`fuzzing the input side (seed ${seed})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startFuzzServer();
  });
  after(() => server?.dispose());

  it("refuses every mutated or made-up SAML message with a stable code, in the pipeline", () => {
    fc.assert(pipelineProperty(), { seed, numRuns: 2_000 });
  });

  it("refuses every mutated SP metadata file with a stable code", () => {
    fc.assert(metadataProperty(), { seed, numRuns: 500 });
  });

  it("answers no such message with a 5xx at /idp/SSO.saml2 and /idp/SLO.saml2", async () => {
    await fc.assert(endpointProperty(server), { seed, numRuns: 300 });
  });

  it("answers every mutated admin API document with a 2xx or a problem with a registered code", async () => {
    await fc.assert(adminProperty(server), { seed, numRuns: 300 });
  });
});
