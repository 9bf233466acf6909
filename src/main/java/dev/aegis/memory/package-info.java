/**
 * Shared memory for many agents: scoped, signed, provenance-labelled, tamper-evident and revertible. {@link
 * dev.aegis.memory.MemoryStore} is the persistence contract (append-only hash-chained log, SQLite or PostgreSQL).
 */
package dev.aegis.memory;
