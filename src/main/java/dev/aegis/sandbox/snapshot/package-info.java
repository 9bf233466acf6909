/**
 * Workspace snapshots and rollback: before a tool call that may write, the gateway records the state of each of the
 * server's workspaces ({@link dev.aegis.sandbox.snapshot.Workspace}) so that {@code aegis rollback CALL_ID} can put
 * the files back exactly as they were. Contents live once in a content-addressed blob store (SHA-256 names); each
 * snapshot is a manifest of (path, type, size, mode, times, file key, blob hash or link target), so a snapshot of a
 * workspace where little changed costs a tree walk. {@link dev.aegis.sandbox.snapshot.SnapshotGuard} is the chain
 * link that takes them; {@link dev.aegis.sandbox.snapshot.Snapshots} is the state directory the CLI reads.
 *
 * <p>Never follows a symbolic link, neither while walking nor while restoring. Imports the chain, the protocol and
 * Jackson; nothing from the other features or the gateway.
 */
package dev.aegis.sandbox.snapshot;
