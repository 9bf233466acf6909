/**
 * The PostgreSQL memory store, for several gateway instances on shared state: appends serialise on a row lock of the
 * chain head, search uses a {@code pg_trgm} GIN index. Imports {@code dev.aegis.store}, HikariCP and the driver only.
 */
package dev.aegis.store.postgres;
