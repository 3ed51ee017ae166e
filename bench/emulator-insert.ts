/**
 * Insert throughput of the Salesforce emulator: 10,000 users through sObject Collections over HTTP,
 * 200 records a call, one call at a time — so provisioning benchmarks measure Portico, not it.
 *
 *   npx tsx bench/emulator-insert.ts [users=10000] [concurrency=1]
 */
import { performance } from "node:perf_hooks";
import { createEmulator } from "../emulator/salesforce/app.ts";

const total = Number(process.argv[2] ?? 10_000);
const concurrency = Number(process.argv[3] ?? 1);
const batch = 200;

async function main(): Promise<void> {
  const emulator = createEmulator({ seed: { licenseTotals: { Salesforce: total + 100 } } });
  const baseUrl = await emulator.listen(0);
  try {
    const info = (await (await fetch(`${baseUrl}/_emulator/org`)).json()) as {
      clientId: string;
      clientSecret: string;
      profiles: Record<string, string>;
    };
    const token = (await (
      await fetch(`${baseUrl}/services/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: info.clientId,
          client_secret: info.clientSecret,
        }),
      })
    ).json()) as { access_token: string };
    const headers = { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" };
    const profileId = info.profiles["Standard User"];

    const batches: unknown[][] = [];
    for (let start = 0; start < total; start += batch) {
      const records = [];
      for (let n = start; n < Math.min(total, start + batch); n++) {
        const username = `bench.user${n}@bench.example.com`;
        records.push({
          attributes: { type: "User" },
          Username: username,
          Email: username,
          FirstName: "Bench",
          LastName: `User${n}`,
          Alias: `b${n}`.slice(0, 8),
          CommunityNickname: `bench${n}`,
          FederationIdentifier: username,
          TimeZoneSidKey: "Europe/London",
          LocaleSidKey: "en_GB",
          EmailEncodingKey: "UTF-8",
          LanguageLocaleKey: "en_US",
          ProfileId: profileId,
        });
      }
      batches.push(records);
    }

    let failures = 0;
    let next = 0;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const records = batches[next++];
        const res = await fetch(`${baseUrl}/services/data/v66.0/composite/sobjects`, {
          method: "POST",
          headers,
          body: JSON.stringify({ allOrNone: false, records }),
        });
        const results = (await res.json()) as { success: boolean }[];
        failures += results.filter((r) => !r.success).length;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;

    const count = (await (
      await fetch(
        `${baseUrl}/services/data/v66.0/query?q=${encodeURIComponent("SELECT COUNT() FROM User")}`,
        { headers },
      )
    ).json()) as { totalSize: number };
    console.log(
      `${total} users in ${batches.length} calls of ${batch} (concurrency ${concurrency}): ${seconds.toFixed(2)} s, ` +
        `${Math.round(total / seconds)} users/s, ${failures} failures, ${count.totalSize} users in the org`,
    );
  } finally {
    await emulator.close();
  }
}

await main();
