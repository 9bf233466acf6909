package dev.aegis.store;

import dev.aegis.memory.Draft;
import dev.aegis.memory.Entry;
import dev.aegis.memory.StoreException;
import java.util.List;

/**
 * Rejects a draft no database would store faithfully, before it joins a group commit (so one caller's bad input
 * never fails another's batch): missing fields, an unknown op, text past {@link Draft}'s bounds (never truncated),
 * and text that does not survive a round trip through UTF-8 (NUL, which PostgreSQL refuses, and unpaired surrogates,
 * which both databases would replace and so break the entry's hash).
 */
final class DraftCheck {
  /** Drafts in one append, so that one call cannot hold the writer for minutes. */
  static final int MAX_DRAFTS = 100_000;

  private DraftCheck() {}

  static void check(List<Draft> drafts) {
    if (drafts == null) {
      throw new StoreException("append: drafts is null", null);
    }
    if (drafts.size() > MAX_DRAFTS) {
      throw new StoreException("append: " + drafts.size() + " drafts in one call, at most " + MAX_DRAFTS, null);
    }
    for (int i = 0; i < drafts.size(); i++) {
      check(drafts.get(i), i);
    }
  }

  private static void check(Draft d, int i) {
    if (d == null) {
      throw bad(i, "is null");
    }
    required(i, "scope", d.scope(), Draft.MAX_SCOPE);
    required(i, "key", d.key(), Draft.MAX_KEY);
    required(i, "author", d.author(), Draft.MAX_SCOPE);
    required(i, "trust", d.trust(), Draft.MAX_SCOPE);
    required(i, "provenance", d.provenance(), Draft.MAX_CONTENT);
    optional(i, "content", d.content(), Draft.MAX_CONTENT);
    optional(i, "text", d.text(), Draft.MAX_CONTENT);
    optional(i, "session", d.session(), Draft.MAX_KEY);
    optional(i, "keyId", d.keyId(), Draft.MAX_KEY);
    optional(i, "signature", d.signature(), Draft.MAX_KEY);
    if (d.time() == null) {
      throw bad(i, "has no time");
    }
    if (Entry.PUT.equals(d.op())) {
      if (d.content() == null) {
        throw bad(i, "is a put without content");
      }
    } else if (Entry.DELETE.equals(d.op())) {
      if (d.content() != null) {
        throw bad(i, "is a delete with content");
      }
    } else {
      throw bad(i, "has op " + quote(d.op()) + ", not put or delete");
    }
    if (d.expectedVersion() != null && d.expectedVersion() < 0) {
      throw bad(i, "expects version " + d.expectedVersion());
    }
  }

  private static void required(int i, String field, String value, int max) {
    if (value == null || value.isEmpty()) {
      throw bad(i, "has no " + field);
    }
    optional(i, field, value, max);
  }

  private static void optional(int i, String field, String value, int max) {
    if (value == null) {
      return;
    }
    if (value.length() > max) {
      throw bad(i, "has a " + field + " of " + value.length() + " characters, at most " + max);
    }
    for (int j = 0; j < value.length(); j++) {
      char ch = value.charAt(j);
      if (ch == 0) {
        throw bad(i, "has a NUL character in its " + field + " at index " + j);
      }
      if (Character.isSurrogate(ch)) {
        if (Character.isHighSurrogate(ch) && j + 1 < value.length() && Character.isLowSurrogate(value.charAt(j + 1))) {
          j++;
        } else {
          throw bad(i, "has an unpaired surrogate in its " + field + " at index " + j);
        }
      }
    }
  }

  private static String quote(String s) {
    return s == null ? "null" : "'" + (s.length() > 20 ? s.substring(0, 20) + "..." : s) + "'";
  }

  private static StoreException bad(int i, String what) {
    return new StoreException("append: draft " + i + " " + what + "; nothing was written", null);
  }
}
