import type { ProvisioningRepository } from "../../domain/provisioning-ports.ts";
import type { Clock } from "../../lib/clock.ts";
import type { Pacing } from "../apply/run-batches.ts";
import type { TargetApi } from "../apply/target-api.ts";
import type { CompiledMapping } from "../model/mapping.ts";
import type { ProvisioningOptions } from "../plan/plan-users.ts";
import type { SafetyLimits } from "../plan/safety.ts";
import type { ProvisioningSource } from "../source/source.ts";

/** Everything one channel's cycle needs: what it reads, what it writes, how it paces itself. */
export type ChannelRuntime = {
  readonly connectionId: string;
  readonly channel: string;
  readonly mapping: CompiledMapping;
  readonly options: ProvisioningOptions;
  readonly safety: SafetyLimits;
  readonly groupsInScope: boolean;
  readonly fullPassEveryMs: number;
  readonly source: ProvisioningSource;
  readonly api: TargetApi;
  readonly repo: ProvisioningRepository;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly pacing: Pacing;
  readonly fieldTypes: ReadonlyMap<string, string>;
  readonly log: { warn(fields: Readonly<Record<string, unknown>>, message: string): void };
  /** Told the counts so far after each page is applied, so a long cycle can show how far it got. */
  readonly onProgress?: ((_counts: Record<string, number>) => void) | undefined;
};
