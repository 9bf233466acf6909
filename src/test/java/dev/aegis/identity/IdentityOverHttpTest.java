package dev.aegis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.aegis.chain.ExchangeListener;
import dev.aegis.config.AccessConfig;
import dev.aegis.config.GatewayConfig;
import dev.aegis.config.ServerConfig;
import dev.aegis.gateway.Gateway;
import dev.aegis.gateway.GatewayLog;
import dev.aegis.transport.http.StreamableHttpServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * OAuth 2.1 access tokens at the gateway's real Streamable HTTP endpoint: a token from the configured issuer for this
 * resource opens a session; an expired one, one for another audience, or none at all is refused with the challenge
 * that points clients at the RFC 9728 metadata, which the endpoint serves.
 */
class IdentityOverHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String ISSUER = "https://auth.example.com";
  private static final RSAKey KEY = TestTokens.rsa("gw-1");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private JwksServer jwks;
  private Gateway gateway;
  private StreamableHttpServer server;
  private String resource;

  @BeforeEach
  void start() throws Exception {
    jwks = new JwksServer();
    jwks.serve(List.of(KEY.toPublicJWK()));
    String java = ProcessHandle.current().info().command().orElse("java");
    ServerConfig example = new ServerConfig("a", "a", new ServerConfig.Stdio(List.of(java, "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "dev.aegis.cli.Main", "example-server"), Map.of(), null));
    gateway = new Gateway(GatewayConfig.of(List.of(example)), List.of(), ExchangeListener.NONE,
        new GatewayLog(new PrintStream(OutputStream.nullOutputStream()), false));
    server = new StreamableHttpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), gateway.codec(),
        gateway, List.of(), line -> { });
    server.start();
    resource = server.uri().toString();
    server.auth(HttpIdentity.from(new AccessConfig.Identity("local", List.of(), false, List.of(),
        new AccessConfig.OAuth(ISSUER, jwks.uri().toString(), resource, List.of("mcp:tools"), "groups",
            List.of(ISSUER)))));
  }

  @AfterEach
  void stop() {
    server.close();
    gateway.close();
    jwks.close();
  }

  private String token(String audience, Instant expires) {
    return TestTokens.sign(KEY, new JWTClaimsSet.Builder().issuer(ISSUER).subject("alice").audience(audience)
        .issueTime(Date.from(Instant.now().minusSeconds(5))).expirationTime(Date.from(expires))
        .claim("scope", "mcp:tools").build());
  }

  private HttpResponse<String> initialize(String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
            + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\","
            + "\"version\":\"1\"}}}"));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aValidTokenOpensASession() throws Exception {
    HttpResponse<String> r = initialize(token(resource, Instant.now().plusSeconds(600)));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Mcp-Session-Id")).isPresent();
  }

  @Test
  void expiredWrongAudienceOrMissingTokensAreRefusedWithAChallenge() throws Exception {
    HttpResponse<String> expired = initialize(token(resource, Instant.now().minusSeconds(3600)));
    HttpResponse<String> otherAudience = initialize(token("https://other.example.com/mcp",
        Instant.now().plusSeconds(600)));
    HttpResponse<String> none = initialize(null);

    for (HttpResponse<String> r : List.of(expired, otherAudience, none)) {
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate").orElse(""))
          .startsWith("Bearer").contains("resource_metadata=");
      assertThat(r.headers().firstValue("Mcp-Session-Id")).isEmpty();
    }
    assertThat(expired.headers().firstValue("WWW-Authenticate").orElse("")).contains("invalid_token");
  }

  @Test
  void theProtectedResourceMetadataIsServed() throws Exception {
    URI base = server.uri().resolve("/");
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/.well-known/oauth-protected-resource"))
        .GET().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode doc = JSON.readTree(r.body());
    assertThat(doc.path("resource").asString()).isEqualTo(resource);
    assertThat(doc.path("authorization_servers").get(0).asString()).isEqualTo(ISSUER);
  }
}
