package dev.aegis.memory;

import java.time.Instant;

/**
 * What a writer asks the store to append: an {@link Entry} without the parts the store assigns (seq, version,
 * prevHash, hash).
 *
 * @param expectedVersion null to append unconditionally; otherwise the append succeeds only if the current version
 *     of scope/key is exactly this (0 = the key has never been written), else {@link ConflictException}. This makes
 *     read-modify-write safe across gateway instances sharing one database.
 */
public record Draft(String scope, String key, String op, String content, String text, String author, String session,
    String trust, boolean quarantined, String provenance, Instant time, String keyId, String signature,
    Long expectedVersion) {

  public static final int MAX_SCOPE = 200;
  public static final int MAX_KEY = 1_000;
  public static final int MAX_CONTENT = 1_000_000;

  /** The bytes the writer signs: RFC 8785 canonical JSON of scope, key, op, content, author, session, trust,
   * provenance, time (epoch millis) and keyId. Not quarantined (Aegis's decision, covered by the chain hash). */
  public byte[] signingPayload() {
    return Chain.signingPayload(this);
  }

  public Draft withSignature(String keyId, String signature) {
    return new Draft(scope, key, op, content, text, author, session, trust, quarantined, provenance, time, keyId,
        signature, expectedVersion);
  }

  public Draft expecting(Long version) {
    return new Draft(scope, key, op, content, text, author, session, trust, quarantined, provenance, time, keyId,
        signature, version);
  }
}
