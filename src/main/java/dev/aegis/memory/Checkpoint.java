package dev.aegis.memory;

import java.time.Instant;

/**
 * A signed statement "the log had {@code seq} entries and the last one's hash was {@code hash}", written by an Aegis
 * instance's own key every so many entries. A verifier holding the instance's public key then detects a log that was
 * truncated or rewritten wholesale (a recomputed chain), not just an edited entry.
 *
 * @param signature base64url Ed25519 over the canonical JSON of {seq, hash, time (epoch millis), keyId}
 */
public record Checkpoint(long seq, String hash, Instant time, String keyId, String signature) {}
