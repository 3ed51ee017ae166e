import { BulkJobs } from "./bulk/jobs.ts";
import { Faults } from "./faults.ts";
import { TokenStore } from "./oauth/tokens.ts";
import type { Org } from "./org.ts";
import { createOrg, type ResolvedOptions } from "./org-factory.ts";
import { QueryLocators } from "./rest/query.ts";
import { Traffic } from "./traffic.ts";

/** Everything the routes share. `org` is replaced on reset, so routes read it per request. */
export class EmulatorState {
  org: Org;
  readonly tokens = new TokenStore();
  readonly locators = new QueryLocators();
  readonly jobs = new BulkJobs();
  readonly traffic = new Traffic();
  readonly faults = new Faults();
  readonly clock: () => Date;
  readonly options: ResolvedOptions;
  /** Other parts (the SAML service provider) that reset with the org. */
  readonly onReset: (() => void)[] = [];

  constructor(clock: () => Date, baseUrl: string, options: ResolvedOptions, org?: Org) {
    this.clock = clock;
    this.options = options;
    this.org = org ?? createOrg(clock, baseUrl, options);
  }

  /**
   * Back to the seeded org: same org id and app credentials, seeded records with the same ids;
   * ids handed out since are never reused. Sessions survive unless `revokeTokens`.
   */
  reset(options: { revokeTokens?: boolean } = {}): void {
    const counters = this.org.ids.toJSON();
    this.org = createOrg(this.clock, this.org.baseUrl, this.options);
    this.org.ids.load(counters);
    if (options.revokeTokens === true) this.tokens.clear();
    this.locators.clear();
    this.jobs.clear();
    this.traffic.clear();
    this.faults.clear();
    for (const hook of this.onReset) hook();
  }
}
