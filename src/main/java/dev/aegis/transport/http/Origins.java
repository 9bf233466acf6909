package dev.aegis.transport.http;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which browser origins and {@code Host} names may reach the endpoint (the DNS rebinding defence). Loopback origins
 * ({@code http(s)://localhost}, {@code 127.0.0.1}, {@code [::1]}, any port) are always allowed, plus the configured
 * ones ({@code "*"} allows every origin). The {@code Host} header is checked only when the endpoint is bound to a
 * loopback address: then it must name loopback or a configured origin's host.
 *
 * <pre>{@code new Origins(List.of("https://app.example.com"), true).allowsOrigin("http://localhost:6274") // true }</pre>
 */
final class Origins {
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
  private final boolean any;
  private final Set<String> origins = new HashSet<>();
  private final Set<String> hosts = new HashSet<>();
  private final boolean checkHost;

  Origins(List<String> allowed, boolean loopbackBind) {
    boolean star = false;
    for (String o : allowed) {
      if (o == null || o.isBlank()) {
        throw new IllegalArgumentException("allowed origin must not be blank, was " + allowed);
      }
      if (o.trim().equals("*")) {
        star = true;
        continue;
      }
      String n = normalize(o);
      origins.add(n);
      String host = hostOf(n);
      if (host != null) {
        hosts.add(host);
      }
    }
    this.any = star;
    this.checkHost = loopbackBind && !star;
  }

  /** Whether a request with this {@code Origin} header may proceed. */
  boolean allowsOrigin(String origin) {
    if (any) {
      return true;
    }
    String n = normalize(origin);
    if (origins.contains(n)) {
      return true;
    }
    if (!n.startsWith("http://") && !n.startsWith("https://")) {
      return false;
    }
    String host = hostOf(n);
    return host != null && LOOPBACK.contains(host);
  }

  /** Whether a request with this {@code Host} header (null when absent) may proceed. */
  boolean allowsHost(String host) {
    if (!checkHost || host == null) {
      return true;
    }
    String h = host.trim().toLowerCase(Locale.ROOT);
    int end;
    if (h.startsWith("[")) {
      end = h.indexOf(']') + 1;
      if (end == 0) {
        return false;
      }
    } else {
      int colon = h.indexOf(':');
      end = colon < 0 ? h.length() : colon;
    }
    String name = h.substring(0, end);
    return LOOPBACK.contains(name) || hosts.contains(name);
  }

  private static String normalize(String origin) {
    String n = origin.trim().toLowerCase(Locale.ROOT);
    while (n.endsWith("/")) {
      n = n.substring(0, n.length() - 1);
    }
    return n;
  }

  private static String hostOf(String origin) {
    try {
      URI u = new URI(origin);
      String host = u.getHost();
      return host == null ? null : host.toLowerCase(Locale.ROOT);
    } catch (Exception e) {
      return null;
    }
  }
}
