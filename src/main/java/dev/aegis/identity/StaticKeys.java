package dev.aegis.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * API keys checked against SHA-256 hashes from the config, so the config file never holds a usable credential.
 *
 * <pre>{@code
 * String key = StaticKeys.generate();            // give this to alice once
 * String hash = StaticKeys.hash(key);            // put this in the config
 * StaticKeys keys = new StaticKeys(Map.of(hash,
 *     new Principal("alice", List.of("dev"), List.of(), "api-key")));
 * keys.authenticate(key);                        // Optional[Principal[name=alice, ...]]
 * }</pre>
 *
 * <p>Why SHA-256 and not PBKDF2/bcrypt/argon2: those slow hashes exist to make guessing a low-entropy password
 * expensive. Keys from {@link #generate()} carry 256 random bits, so no amount of hashing speed makes guessing one
 * feasible, and a fast hash keeps every request cheap (a slow hash on every HTTP request would be a denial-of-service
 * lever). Operators who paste a short hand-made key into {@link #hash} lose that argument; the docs tell them to use
 * {@code generate()}.
 */
public final class StaticKeys {
  /** The prefix of a stored hash; a new algorithm would get its own. */
  public static final String PREFIX = "sha256:";

  /** Longer bearer values are refused without hashing (generated keys are 49 characters). */
  public static final int MAX_KEY_LENGTH = 512;

  private static final SecureRandom RANDOM = new SecureRandom();

  private record Entry(byte[] digest, Principal principal) {}

  private final List<Entry> entries;

  /**
   * Keys by their {@link #hash(String) hash}.
   *
   * @param byHash {@code "sha256:<64 hex>"} → the principal the key stands for (method {@code api-key})
   * @throws IllegalArgumentException when a hash is malformed (for example a plaintext key pasted into the config),
   *     two hashes are the same, or a principal's method is not {@code api-key}
   */
  public StaticKeys(Map<String, Principal> byHash) {
    List<Entry> list = new ArrayList<>();
    for (Map.Entry<String, Principal> e : byHash.entrySet()) {
      Principal p = e.getValue();
      // The message names the principal, never the value: a pasted plaintext key must not land in a log.
      byte[] digest = parseHash(e.getKey(), p.name());
      if (!"api-key".equals(p.method())) {
        throw new IllegalArgumentException("key for " + p.name() + ": principal method must be api-key, was "
            + p.method());
      }
      for (Entry other : list) {
        if (MessageDigest.isEqual(other.digest, digest)) {
          throw new IllegalArgumentException("keys for " + other.principal.name() + " and " + p.name()
              + " have the same hash");
        }
      }
      list.add(new Entry(digest, p));
    }
    this.entries = List.copyOf(list);
  }

  /** {@code "sha256:"} + the lowercase hex SHA-256 of the key's UTF-8 bytes. */
  public static String hash(String key) {
    return PREFIX + HexFormat.of().formatHex(digest(key));
  }

  /** A new key: {@code "aegis_"} + 32 random bytes as 43 base64url characters. */
  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "aegis_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * The principal whose key this is, or empty.
   *
   * <p>Every stored hash is compared, with {@link MessageDigest#isEqual} and no early exit, so the time taken says
   * neither how much of a hash matched nor which entry did. The key itself is never logged or kept.
   */
  public Optional<Principal> authenticate(String bearer) {
    if (bearer == null || bearer.isEmpty() || bearer.length() > MAX_KEY_LENGTH) {
      return Optional.empty();
    }
    byte[] presented = digest(bearer);
    Principal found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.digest, presented)) {
        found = e.principal;
      }
    }
    return Optional.ofNullable(found);
  }

  /** How many keys are configured. */
  public int size() {
    return entries.size();
  }

  private static byte[] parseHash(String hash, String principal) {
    if (hash == null || !hash.startsWith(PREFIX) || hash.length() != PREFIX.length() + 64) {
      throw new IllegalArgumentException("key for " + principal
          + ": hash must be \"sha256:\" followed by 64 hex digits");
    }
    try {
      return HexFormat.of().parseHex(hash, PREFIX.length(), hash.length());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("key for " + principal + ": hash has a non-hex digit");
    }
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
