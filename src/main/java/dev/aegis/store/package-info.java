/**
 * The JDBC implementations of {@link dev.aegis.memory.MemoryStore}: {@link dev.aegis.store.JdbcStore} holds what
 * SQLite ({@code sqlite}) and PostgreSQL ({@code postgres}) share (group commit, the chain, every read), a
 * {@link dev.aegis.store.Dialect} what differs (schema, head lock, text search). Imports {@code dev.aegis.memory} and
 * JDBC; never the gateway, policy or signing code.
 */
package dev.aegis.store;
