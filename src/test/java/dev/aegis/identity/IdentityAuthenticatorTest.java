package dev.aegis.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.aegis.testing.MutableClock;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdentityAuthenticatorTest {
  static final String ISSUER = "https://auth.example.com";
  static final String RESOURCE = "https://mcp.example.com/mcp";
  static final String METADATA = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
  private static final RSAKey RSA = TestTokens.rsa("k1");

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final String aliceKey = StaticKeys.generate();
  private JwksServer jwks;

  @BeforeEach
  void start() throws IOException {
    jwks = new JwksServer();
    jwks.serve(List.of(RSA.toPublicJWK()));
  }

  @AfterEach
  void stop() {
    jwks.close();
  }

  private IdentityConfig.ApiKey alice() {
    return new IdentityConfig.ApiKey(StaticKeys.hash(aliceKey), "alice", List.of("dev"), List.of());
  }

  private IdentityConfig.OAuth oauth() {
    return new IdentityConfig.OAuth(ISSUER, jwks.uri(), RESOURCE, List.of("mcp:tools"), null);
  }

  private Authenticator both(boolean anonymous) {
    return new Authenticator(new IdentityConfig(List.of(alice()), oauth(), anonymous), clock);
  }

  private String token(String scope, Instant exp) {
    return TestTokens.sign(RSA, new JWTClaimsSet.Builder().issuer(ISSUER).subject("bob").audience(RESOURCE)
        .expirationTime(Date.from(exp)).claim("scope", scope).claim("groups", List.of("ops")).build());
  }

  private static AuthResult.Refused refused(AuthResult r) {
    assertThat(r).isInstanceOf(AuthResult.Refused.class);
    return (AuthResult.Refused) r;
  }

  @Test
  void anApiKeyAuthenticatesItsPrincipalWithAnyCaseOfBearer() {
    Principal expected = new Principal("alice", List.of("dev"), List.of(), "api-key");
    assertThat(both(false).authenticate("Bearer " + aliceKey)).isEqualTo(new AuthResult.Authenticated(expected));
    assertThat(both(false).authenticate("bearer  " + aliceKey + " ")).isEqualTo(new AuthResult.Authenticated(expected));
  }

  @Test
  void aValidAccessTokenAuthenticatesItsSubject() {
    AuthResult r = both(false).authenticate("Bearer " + token("mcp:tools", clock.instant().plusSeconds(300)));
    assertThat(r).isEqualTo(new AuthResult.Authenticated(
        new Principal("bob", List.of("ops"), List.of("mcp:tools"), "oauth")));
  }

  @Test
  void noHeaderIs401WithAChallengeNamingTheMetadataAndScopes() {
    for (String none : new String[] {null, "", "   "}) {
      assertThat(both(false).authenticate(none)).isEqualTo(new AuthResult.Refused(401, null, "no credentials",
          "Bearer resource_metadata=\"" + METADATA + "\", scope=\"mcp:tools\""));
    }
  }

  @Test
  void noHeaderWithAllowAnonymousIsTheAnonymousPrincipal() {
    assertThat(both(true).authenticate(null)).isEqualTo(new AuthResult.Authenticated(
        new Principal("anonymous", List.of(), List.of(), "anonymous")));
  }

  @Test
  void aBadCredentialIsRefusedEvenWhenAnonymousIsAllowed() {
    AuthResult.Refused no = refused(both(true).authenticate("Bearer " + StaticKeys.generate()));
    assertThat(no.status()).isEqualTo(401);
    assertThat(no.wwwAuthenticate()).isEqualTo("Bearer resource_metadata=\"" + METADATA
        + "\", error=\"invalid_token\", error_description=\"unknown API key or token\"");
  }

  @Test
  void anExpiredTokenIs401InvalidTokenAndTheTokenIsNotEchoed() {
    String expired = token("mcp:tools", clock.instant().minusSeconds(3600));
    AuthResult.Refused no = refused(both(false).authenticate("Bearer " + expired));
    assertThat(no).isEqualTo(new AuthResult.Refused(401, "invalid_token", "token expired", "Bearer resource_metadata=\""
        + METADATA + "\", error=\"invalid_token\", error_description=\"token expired\""));
    assertThat(no.wwwAuthenticate()).doesNotContain(expired.substring(0, 20));
  }

  @Test
  void aTokenWithoutTheRequiredScopeIs403InsufficientScope() {
    AuthResult.Refused no = refused(both(false).authenticate("Bearer "
        + token("mcp:read", clock.instant().plusSeconds(300))));
    assertThat(no).isEqualTo(new AuthResult.Refused(403, "insufficient_scope", "token lacks a required scope",
        "Bearer resource_metadata=\"" + METADATA + "\", error=\"insufficient_scope\", "
            + "error_description=\"token lacks a required scope\", scope=\"mcp:tools\""));
  }

  @Test
  void otherSchemesGetTheChallengeAndMalformedBearerIs400() {
    assertThat(refused(both(false).authenticate("Basic YWxpY2U6cHc=")))
        .isEqualTo(new AuthResult.Refused(401, null, "unsupported authorization scheme",
            "Bearer resource_metadata=\"" + METADATA + "\", scope=\"mcp:tools\""));
    for (String bad : new String[] {"Bearer", "Bearer ", "Bearer a b"}) {
      AuthResult.Refused no = refused(both(false).authenticate(bad));
      assertThat(no.status()).as(bad).isEqualTo(400);
      assertThat(no.error()).isEqualTo("invalid_request");
    }
    assertThat(refused(both(false).authenticate("Bearer " + "x".repeat(Authenticator.MAX_HEADER))).status())
        .isEqualTo(400);
  }

  @Test
  void withoutOAuthTheChallengeHasNoMetadataAndJwtsAreUnknownKeys() {
    Authenticator keysOnly = new Authenticator(new IdentityConfig(List.of(alice()), null, false), clock);
    assertThat(keysOnly.protectedResource()).isEmpty();
    assertThat(refused(keysOnly.authenticate(null)).wwwAuthenticate()).isEqualTo("Bearer");
    AuthResult.Refused no = refused(keysOnly.authenticate("Bearer "
        + token("mcp:tools", clock.instant().plusSeconds(300))));
    assertThat(no.wwwAuthenticate()).isEqualTo("Bearer error=\"invalid_token\", error_description=\"unknown API key\"");
    assertThat(jwks.fetches()).isZero();
  }

  @Test
  void theNoneConfigRefusesEverything() {
    Authenticator none = new Authenticator(IdentityConfig.NONE);
    assertThat(none.authenticate(null)).isInstanceOf(AuthResult.Refused.class);
    assertThat(none.authenticate("Bearer " + aliceKey)).isInstanceOf(AuthResult.Refused.class);
  }

  @Test
  void theMetadataIsServedForTheConfiguredResource() {
    ProtectedResource pr = both(false).protectedResource().orElseThrow();
    assertThat(pr.metadataPath()).isEqualTo("/.well-known/oauth-protected-resource/mcp");
    assertThat(pr.json()).isEqualTo("{\"resource\":\"https://mcp.example.com/mcp\","
        + "\"authorization_servers\":[\"https://auth.example.com\"],\"scopes_supported\":[\"mcp:tools\"],"
        + "\"bearer_methods_supported\":[\"header\"]}");
  }

  @Test
  void oauthConfigRefusesPlainHttpKeysFromRemoteHostsAndNonCanonicalResources() {
    assertThatThrownBy(() -> new IdentityConfig.OAuth(ISSUER, URI.create("http://auth.example.com/jwks"), RESOURCE,
        List.of(), null)).hasMessageStartingWith("oauth jwksUri must be https");
    assertThatThrownBy(() -> new IdentityConfig.OAuth(ISSUER, URI.create("https://auth.example.com/jwks"),
        "https://mcp.example.com/mcp#x", List.of(), null)).hasMessageContaining("fragment");
    IdentityConfig.OAuth o = new IdentityConfig.OAuth(ISSUER, URI.create("https://auth.example.com/jwks"),
        "HTTPS://MCP.example.com/", null, "");
    assertThat(o.resource()).isEqualTo("https://mcp.example.com");
    assertThat(o.groupsClaim()).isEqualTo("groups");
    assertThat(o.requiredScopes()).isEmpty();
  }
}
