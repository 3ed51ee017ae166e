import type { Kysely, Migration, MigrationProvider } from "kysely";
import * as initial from "./001-initial.ts";
import * as directory from "./002-directory.ts";
import * as sso from "./003-sso.ts";
import * as provisioningTokens from "./004-provisioning-tokens.ts";
import * as provisioning from "./005-provisioning.ts";
import * as dataStores from "./006-data-stores.ts";
import * as credentialValidators from "./007-credential-validators.ts";
import * as consoleSessions from "./008-console-sessions.ts";
import * as consoleDrafts from "./009-console-drafts.ts";
import * as provisioningNodes from "./010-provisioning-nodes.ts";
import type { Dialect } from "./dialect.ts";

export type { Dialect } from "./dialect.ts";

type NumberedMigration = { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> };

/** Numbered migrations, applied in name order. Never edit one that has shipped; add the next. */
const migrations: Readonly<Record<string, NumberedMigration>> = {
  "001-initial": initial,
  "002-directory": directory,
  "003-sso": sso,
  "004-provisioning-tokens": provisioningTokens,
  "005-provisioning": provisioning,
  "006-data-stores": dataStores,
  "007-credential-validators": credentialValidators,
  "008-console-sessions": consoleSessions,
  "009-console-drafts": consoleDrafts,
  "010-provisioning-nodes": provisioningNodes,
};

export const migrationProvider = (dialect: Dialect): MigrationProvider => ({
  getMigrations: async () =>
    Object.fromEntries(
      Object.entries(migrations).map(([name, m]): [string, Migration] => [
        name,
        { up: (db) => m.up(db, dialect) },
      ]),
    ),
});
