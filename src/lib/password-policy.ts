/**
 * The shortest admin password Portico takes. One constant for the admin API and for
 * PORTICO_ADMIN_PASSWORD, which the configuration checks before anything is stored.
 */
export const minimumAdminPasswordLength = 12;
