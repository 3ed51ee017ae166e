/** The SQL dialects a migration may need to tell apart. */
export type Dialect = "sqlite" | "postgres";
