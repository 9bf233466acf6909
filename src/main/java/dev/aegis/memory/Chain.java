package dev.aegis.memory;

import dev.aegis.pin.Canonical;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The two digests of the memory log: what a writer signs, and the chain hash that links each entry to the one before.
 * Both are RFC 8785 canonical JSON, so any store (SQLite, PostgreSQL) and any verifier compute the same bytes.
 *
 * <pre>{@code
 * byte[] signed = Chain.signingPayload(draft);
 * String hash = Chain.hash(entry);            // over entry.prevHash() and every other field
 * }</pre>
 */
public final class Chain {
  /** The prevHash of the first entry. */
  public static final String GENESIS = "sha256:" + "0".repeat(64);

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Chain() {}

  static byte[] signingPayload(Draft d) {
    ObjectNode o = JSON.objectNode();
    o.put("scope", d.scope());
    o.put("key", d.key());
    o.put("op", d.op());
    o.put("content", d.content());
    o.put("author", d.author());
    o.put("session", d.session());
    o.put("trust", d.trust());
    o.put("provenance", d.provenance());
    o.put("time", d.time().toEpochMilli());
    o.put("keyId", d.keyId());
    return Canonical.bytes(o);
  }

  /**
   * The chain hash of {@code e}: {@code sha256:} and the hex SHA-256 over the canonical JSON of every field but
   * {@code hash} itself.
   */
  public static String hash(Entry e) {
    ObjectNode o = JSON.objectNode();
    o.put("seq", e.seq());
    o.put("scope", e.scope());
    o.put("key", e.key());
    o.put("version", e.version());
    o.put("op", e.op());
    o.put("content", e.content());
    o.put("text", e.text());
    o.put("author", e.author());
    o.put("session", e.session());
    o.put("trust", e.trust());
    o.put("quarantined", e.quarantined());
    o.put("provenance", e.provenance());
    o.put("time", e.time().toEpochMilli());
    o.put("keyId", e.keyId());
    o.put("signature", e.signature());
    o.put("prevHash", e.prevHash());
    return Canonical.sha256(o);
  }
}
