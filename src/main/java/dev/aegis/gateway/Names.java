package dev.aegis.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Namespaced names that every common client accepts: {@code prefix__name}, letters, digits, {@code _} and
 * {@code -}, at most 64 characters. A name that does not fit is made to fit deterministically (invalid characters
 * become {@code _}, long names are cut) and gets a short hash of the original, so two different originals never
 * meet in one exposed name.
 *
 * <pre>{@code Names.expose("fs", "read_file")  // "fs__read_file" }</pre>
 */
public final class Names {
  /** Joins a server's prefix and its own name. */
  public static final String SEPARATOR = "__";
  /** The longest name Claude, OpenAI and Gemini clients accept. */
  public static final int MAX_LENGTH = 64;

  private Names() {}

  /** The name the host sees for {@code name} from a server with {@code prefix} (empty: no prefix). */
  public static String expose(String prefix, String name) {
    String joined = prefix.isEmpty() ? name : prefix + SEPARATOR + name;
    if (isValid(joined)) {
      return joined;
    }
    StringBuilder b = new StringBuilder(joined.length());
    for (int i = 0; i < joined.length(); i++) {
      char c = joined.charAt(i);
      b.append(validChar(c) ? c : '_');
    }
    String hash = shortHash(prefix + "\u0000" + name);
    int keep = Math.min(b.length(), MAX_LENGTH - hash.length() - 1);
    return b.substring(0, keep) + "-" + hash;
  }

  public static boolean isValid(String name) {
    if (name.isEmpty() || name.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!validChar(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean validChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  }

  private static String shortHash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
