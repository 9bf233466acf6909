package dev.aegis.identity;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 serving a JWKS the test can change, break and count, standing in for an
 * authorization server's {@code jwks_uri}.
 *
 * <pre>{@code
 * try (JwksServer server = new JwksServer()) {
 *   server.serve(List.of(rsaKey.toPublicJWK()));
 *   URI uri = server.uri();
 * }
 * }</pre>
 */
final class JwksServer implements AutoCloseable {
  private final HttpServer server;
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile int status = 200;
  private volatile byte[] body = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);

  JwksServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/jwks", exchange -> {
      fetches.incrementAndGet();
      byte[] b = body;
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      // 0 = chunked, no Content-Length: the client has to bound the body while reading it
      exchange.sendResponseHeaders(status, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(b);
      }
    });
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
  }

  void serve(List<JWK> keys) {
    body = new JWKSet(keys).toString(true).getBytes(StandardCharsets.UTF_8);
    status = 200;
  }

  void serveRaw(int status, String text) {
    this.body = text.getBytes(StandardCharsets.UTF_8);
    this.status = status;
  }

  int fetches() {
    return fetches.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
