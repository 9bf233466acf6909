package dev.aegis.store;

/**
 * The keys starting with a prefix as an index range: {@code key >= low AND key < high AND substr(key, 1, length) =
 * prefix}. Both databases compare keys by code point (SQLite's BINARY, PostgreSQL's {@code COLLATE "C"} on UTF-8), so
 * {@code high} is the prefix with its last code point incremented; the substr test keeps the edge cases exact.
 *
 * @param prefix the prefix ({@code ""} for every key)
 * @param high the exclusive upper bound, or null when there is none (empty prefix, or the last code point is the
 *     largest)
 * @param length the prefix length in code points (what {@code substr} counts in both databases)
 */
public record KeyRange(String prefix, String high, int length) {

  public static KeyRange of(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      return new KeyRange("", null, 0);
    }
    int last = prefix.codePointBefore(prefix.length());
    String head = prefix.substring(0, prefix.length() - Character.charCount(last));
    int next = last + 1 == Character.MIN_SURROGATE ? Character.MAX_SURROGATE + 1 : last + 1;
    String high = next > Character.MAX_CODE_POINT ? null : head + Character.toString(next);
    return new KeyRange(prefix, high, prefix.codePointCount(0, prefix.length()));
  }

  /** The SQL condition on {@code column} (three or four parameters, bound by {@link #bind}). */
  public String condition(String column) {
    return column + " >= ?" + (high == null ? "" : " AND " + column + " < ?") + " AND substr(" + column + ", 1, ?) = ?";
  }

  /** Binds the parameters of {@link #condition} from index {@code i}; returns the next index. */
  public int bind(java.sql.PreparedStatement s, int i) throws java.sql.SQLException {
    s.setString(i++, prefix);
    if (high != null) {
      s.setString(i++, high);
    }
    s.setInt(i++, length);
    s.setString(i++, prefix);
    return i;
  }
}
