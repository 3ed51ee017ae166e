/**
 * `npm run fuzz`: the long campaign over the input side. PORTICO_FUZZ_INPUTS inputs (default
 * 1,000,000) split over the targets, in rounds of 10,000 with seeds from PORTICO_FUZZ_SEED, so a
 * finding does not end the campaign: each is printed with its seed and shrunk input, and the
 * process exits 1 if there was any. Ends with the count per target and how inputs ended.
 */
import fc from "fast-check";
import type { TestServer } from "../support/server.ts";
import {
  adminProperty,
  endpointProperty,
  metadataProperty,
  type Outcomes,
  pipelineProperty,
  startFuzzServer,
} from "./targets.ts";

const total = Number(process.env.PORTICO_FUZZ_INPUTS ?? 1_000_000);
const baseSeed = Number(process.env.PORTICO_FUZZ_SEED ?? Date.now() % 1_000_000_000);
const round = 10_000;

type Target = {
  name: string;
  share: number;
  property: (server: TestServer, outcomes: Outcomes) => fc.IProperty<unknown> | fc.IAsyncProperty<unknown>;
};
const targets: Target[] = [
  {
    name: "SAML pipeline (Redirect and POST; AuthnRequest and logout)",
    share: 0.8,
    property: (_, o) => pipelineProperty(o),
  },
  { name: "SP metadata import", share: 0.1, property: (_, o) => metadataProperty(o) },
  { name: "SSO and SLO endpoints", share: 0.05, property: endpointProperty },
  { name: "admin API JSON bodies", share: 0.05, property: adminProperty },
];

// PORTICO_FUZZ_TARGET=admin (say) runs only the targets whose name contains it, with all the inputs.
const only = process.env.PORTICO_FUZZ_TARGET;
const chosen = only ? targets.filter((t) => t.name.includes(only)) : targets;
const shares = chosen.reduce((sum, t) => sum + t.share, 0);
const server = await startFuzzServer();
const findings: string[] = [];
const report: string[] = [];
let seed = baseSeed;
console.log(`fuzz campaign: ${total} inputs, first seed ${baseSeed}`);
for (const target of chosen) {
  const runs = Math.round((total * target.share) / shares);
  const outcomes: Outcomes = new Map();
  const started = performance.now();
  for (let done = 0; done < runs; done += round) {
    const numRuns = Math.min(round, runs - done);
    seed++;
    const details = await fc.check(target.property(server, outcomes) as fc.IAsyncProperty<unknown>, {
      seed,
      numRuns,
    });
    if (details.failed) {
      const finding = `${target.name}, seed ${seed}, path ${details.counterexamplePath}: ${String(details.errorInstance)}\n  input: ${fc.stringify(details.counterexample).slice(0, 2000)}`;
      findings.push(finding);
      console.log(`FINDING ${finding}`);
    }
    process.stdout.write(`\r${target.name}: ${Math.min(done + numRuns, runs)}/${runs}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const tried = [...outcomes.values()].reduce((a, b) => a + b, 0);
  const top = [...outcomes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  const line = `${target.name}: ${tried} inputs in ${seconds.toFixed(0)} s (${Math.round(tried / seconds)}/s); ended as: ${top}`;
  report.push(line);
  console.log(`\n${line}`);
}
await server.dispose();
console.log(`\n${"-".repeat(60)}\n${report.join("\n")}\nfindings: ${findings.length}`);
for (const finding of findings) console.log(`- ${finding}`);
process.exit(findings.length > 0 ? 1 : 0);
