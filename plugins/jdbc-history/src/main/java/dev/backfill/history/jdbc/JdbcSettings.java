package dev.backfill.history.jdbc;

import java.time.Duration;

/**
 * The checked options of a {@code jdbc} job history.
 *
 * @param user null for the driver's default
 * @param password null for none
 */
record JdbcSettings(PostgresUrl url, String user, String password, String schema, Duration lease) {}
