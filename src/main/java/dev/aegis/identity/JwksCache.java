package dev.aegis.identity;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * The issuer's signing keys, fetched from its {@code jwks_uri} and cached.
 *
 * <p>Refetched when the cache is older than {@link #MAX_AGE} (so keys the issuer withdrew stop working) or a token
 * names a key we do not hold (so rotation is picked up), but never more than once per {@link #MIN_INTERVAL}: a
 * flood of tokens with made-up {@code kid}s must not turn the gateway into a load generator against the issuer.
 * A failed refetch keeps the keys we had; a failed first fetch leaves none, and every token is refused.
 *
 * <p>Thread-safe: readers see an immutable snapshot; one thread at a time refetches.
 */
final class JwksCache {
  static final Duration MIN_INTERVAL = Duration.ofSeconds(30);
  static final Duration MAX_AGE = Duration.ofMinutes(15);
  static final int TIMEOUT_MILLIS = 5_000;
  /** The whole fetch, however slowly the bytes trickle in. */
  static final Duration DEADLINE = Duration.ofSeconds(10);
  /** Large IdP key sets with certificate chains are ~20 KiB. */
  static final int MAX_BYTES = 128 * 1024;
  static final int MAX_KEYS = 100;

  private static final System.Logger LOG = System.getLogger(JwksCache.class.getName());

  private record Snapshot(List<JWK> keys, Instant fetched) {}

  private final URI uri;
  private final Clock clock;
  private volatile Snapshot snapshot;
  private Instant lastAttempt;
  private String lastError = "signing keys not fetched yet";

  JwksCache(URI uri, Clock clock) {
    this.uri = uri;
    this.clock = clock;
  }

  /**
   * The cached keys that pass {@code filter}; when none do, one refetch (if the rate limit allows) and a second
   * look.
   */
  List<JWK> find(Predicate<JWK> filter) {
    Snapshot s = snapshot;
    if (s == null || s.fetched.plus(MAX_AGE).isBefore(clock.instant())) {
      s = refresh();
    }
    List<JWK> found = s == null ? List.of() : s.keys.stream().filter(filter).toList();
    if (found.isEmpty()) {
      Snapshot again = refresh();
      if (again != null && again != s) {
        found = again.keys.stream().filter(filter).toList();
      }
    }
    return found;
  }

  /** Why the last fetch failed, for the refusal when no keys are held at all. */
  synchronized String lastError() {
    return lastError;
  }

  /** Whether any keys are held. */
  boolean hasKeys() {
    return snapshot != null;
  }

  private synchronized Snapshot refresh() {
    Instant now = clock.instant();
    if (lastAttempt != null && now.isBefore(lastAttempt.plus(MIN_INTERVAL))) {
      return snapshot;
    }
    lastAttempt = now;
    try {
      JWKSet set = JWKSet.parse(fetch());
      if (set.getKeys().size() > MAX_KEYS) {
        throw new IOException("JWKS has " + set.getKeys().size() + " keys, more than " + MAX_KEYS);
      }
      // Only public halves are kept, whatever the issuer published.
      List<JWK> keys = set.getKeys().stream().map(JWK::toPublicJWK).filter(k -> k != null).toList();
      snapshot = new Snapshot(keys, now);
    } catch (IOException | ParseException | RuntimeException e) {
      lastError = "signing keys unavailable";
      LOG.log(System.Logger.Level.WARNING, "JWKS fetch from " + uri + " failed: " + e.getMessage());
    }
    return snapshot;
  }

  private String fetch() throws IOException {
    long start = System.nanoTime();
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    try {
      c.setConnectTimeout(TIMEOUT_MILLIS);
      c.setReadTimeout(TIMEOUT_MILLIS);
      // A redirect could leave https or the issuer's host; the configured URI is the one we trust.
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setRequestProperty("Accept", "application/json, application/jwk-set+json");
      int status = c.getResponseCode();
      if (status != 200) {
        throw new IOException("HTTP " + status);
      }
      if (c.getContentLengthLong() > MAX_BYTES) {
        throw new IOException("JWKS of " + c.getContentLengthLong() + " bytes, more than " + MAX_BYTES);
      }
      try (InputStream in = c.getInputStream()) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) != -1; ) {
          out.write(buf, 0, n);
          if (out.size() > MAX_BYTES) {
            throw new IOException("JWKS longer than " + MAX_BYTES + " bytes");
          }
          if (Duration.ofNanos(System.nanoTime() - start).compareTo(DEADLINE) > 0) {
            throw new IOException("JWKS fetch took longer than " + DEADLINE.toSeconds() + " s");
          }
        }
        return out.toString(StandardCharsets.UTF_8);
      }
    } finally {
      c.disconnect();
    }
  }
}
