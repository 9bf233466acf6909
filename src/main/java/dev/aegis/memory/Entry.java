package dev.aegis.memory;

import java.time.Instant;

/**
 * One version of one memory item as stored: a link of the append-only, hash-chained log. Never updated in place; a
 * change is a new entry (a new {@code version} of the same {@code scope}/{@code key}, at the next {@code seq}).
 *
 * <p>The writer's signature covers what the writer decided ({@link Draft#signingPayload()}); the chain hash covers
 * everything, including what the store assigned: {@code hash = sha256(prevHash || canonical(entry without hash))}
 * (see {@link Chain}). Any edit, deletion or reordering behind Aegis's back breaks one of the two.
 *
 * @param seq position in the log, 1-based and gapless, assigned by the store
 * @param scope the scope the item lives in, e.g. {@code agent:alice}, {@code team:ops}, {@code global}
 * @param key the item's key inside its scope (at most {@link Draft#MAX_KEY} characters)
 * @param version 1-based version of this scope/key, assigned by the store
 * @param op {@code put} or {@code delete} (a tombstone: {@code content} is null)
 * @param content the item's JSON text, or null for a delete
 * @param text the text search runs over (lower-cased by the store for matching), or null
 * @param author the principal that wrote it
 * @param session the session it was written in, or null
 * @param trust {@code trusted} or {@code untrusted}: the trust of the writer's context
 * @param quarantined true when the scanner found instructions in content from an untrusted writer
 * @param provenance JSON text: where the content came from (tool calls, via gateway or direct); never null
 * @param time when it was written (millisecond precision)
 * @param keyId the id of the Ed25519 key that signed it
 * @param signature base64url Ed25519 signature over {@link Draft#signingPayload()}
 * @param prevHash the hash of the entry at {@code seq - 1}, or {@link Chain#GENESIS} for the first
 * @param hash {@code sha256:} and the hex SHA-256 of this entry (see above)
 */
public record Entry(long seq, String scope, String key, long version, String op, String content, String text,
    String author, String session, String trust, boolean quarantined, String provenance, Instant time, String keyId,
    String signature, String prevHash, String hash) {

  public static final String PUT = "put";
  public static final String DELETE = "delete";

  public boolean deleted() {
    return DELETE.equals(op);
  }

  /** The writer's part of this entry, as it was signed. */
  public Draft draft() {
    return new Draft(scope, key, op, content, text, author, session, trust, quarantined, provenance, time, keyId,
        signature, null);
  }
}
