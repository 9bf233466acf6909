package dev.aegis.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical bytes of a record (RFC 8785 for the values an audit record holds: strings, integers, booleans, arrays,
 * objects; keys sorted by UTF-16 code units, no whitespace) and its SHA-256. A record's {@code hash} is the SHA-256
 * of its canonical bytes without the {@code hash} member, so verification never depends on how a line was spelled.
 */
final class Canonical {
  static final String GENESIS = "0".repeat(64);
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  /** Writes object members sorted by key (String order: UTF-16 code units), without copying the tree first. */
  private static final JsonMapper SORTED = JsonMapper.builder().enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
      .build();

  private Canonical() {}

  static byte[] bytes(JsonNode node) {
    return SORTED.writeValueAsBytes(node);
  }

  static String line(JsonNode node) {
    return new String(bytes(node), StandardCharsets.UTF_8);
  }

  /** The hash of {@code record} ignoring its {@code hash} member. */
  static String hashOf(ObjectNode record) {
    ObjectNode copy = record.deepCopy();
    copy.remove("hash");
    return sha256(bytes(copy));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  static JsonMapper mapper() {
    return MAPPER;
  }
}
