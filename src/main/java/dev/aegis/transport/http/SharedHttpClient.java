package dev.aegis.transport.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The JDK HTTP client all upstream channels share by default: HTTP/1.1 only (the JDK's h2c upgrade attempt breaks
 * some servers), a bounded connect time, no redirects. Created on first use.
 */
final class SharedHttpClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static volatile HttpClient client;

  private SharedHttpClient() {}

  static HttpClient get() {
    HttpClient c = client;
    if (c == null) {
      synchronized (SharedHttpClient.class) {
        c = client;
        if (c == null) {
          c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
              .followRedirects(HttpClient.Redirect.NEVER).build();
          client = c;
        }
      }
    }
    return c;
  }

  /** Checks a server's URL and extra headers up front, so a bad config fails at start with a precise message. */
  static void validate(URI url, Map<String, String> headers) {
    if (url == null || url.getScheme() == null || url.getHost() == null
        || !(url.getScheme().equalsIgnoreCase("http") || url.getScheme().equalsIgnoreCase("https"))) {
      throw new IllegalArgumentException("server url must be an absolute http(s) URL, was " + url);
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(url);
    for (Map.Entry<String, String> e : headers.entrySet()) {
      try {
        b.setHeader(e.getKey(), e.getValue());
      } catch (IllegalArgumentException x) {
        throw new IllegalArgumentException("header " + e.getKey() + " cannot be set on requests to " + url + ": "
            + x.getMessage().toLowerCase(Locale.ROOT), x);
      }
    }
  }
}
