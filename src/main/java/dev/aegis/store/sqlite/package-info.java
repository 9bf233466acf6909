/**
 * The SQLite memory store: one file in WAL mode, a single writer, pooled readers, FTS5 trigram search. Imports
 * {@code dev.aegis.store} and the SQLite driver only.
 */
package dev.aegis.store.sqlite;
