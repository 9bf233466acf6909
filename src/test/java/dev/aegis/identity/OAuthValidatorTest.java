package dev.aegis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.aegis.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OAuthValidatorTest {
  static final String ISSUER = "https://auth.example.com";
  static final String RESOURCE = "https://mcp.example.com/mcp";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  // RSA key generation takes a few hundred ms; one key serves every test (none changes it)
  private static final RSAKey rsa = TestTokens.rsa("rsa-1");
  private final ECKey ec = TestTokens.ec("ec-1");
  private final TestTokens.Ed ed = TestTokens.ed25519("ed-1");
  private JwksServer jwks;
  private OAuthValidator validator;

  @BeforeEach
  void start() throws IOException {
    jwks = new JwksServer();
    jwks.serve(List.of(rsa.toPublicJWK(), ec.toPublicJWK(), ed.publicJwk()));
    validator = validator(List.of("mcp:tools"));
  }

  @AfterEach
  void stop() {
    jwks.close();
  }

  private OAuthValidator validator(List<String> requiredScopes) {
    return new OAuthValidator(new IdentityConfig.OAuth(ISSUER, jwks.uri(), RESOURCE, requiredScopes, "groups"),
        clock);
  }

  /** Claims that pass every check; tests break one thing at a time. */
  private JWTClaimsSet.Builder good() {
    Instant now = clock.instant();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject("alice")
        .audience(RESOURCE)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)))
        .claim("scope", "mcp:tools mcp:read")
        .claim("groups", List.of("dev", "ops"));
  }

  private OAuthValidator.Invalid refused(String token) {
    OAuthValidator.Result r = validator.validate(token);
    assertThat(r).isInstanceOf(OAuthValidator.Invalid.class);
    return (OAuthValidator.Invalid) r;
  }

  private static void assertInvalidToken(OAuthValidator.Invalid no, String description) {
    assertThat(no.status()).isEqualTo(401);
    assertThat(no.error()).isEqualTo("invalid_token");
    assertThat(no.description()).isEqualTo(description);
    assertThat(no.scope()).isNull();
  }

  @Test
  void validRsaTokenGivesThePrincipalWithGroupsAndScopes() {
    OAuthValidator.Result r = validator.validate(TestTokens.sign(rsa, good().build()));
    assertThat(r).isEqualTo(new OAuthValidator.Valid(
        new Principal("alice", List.of("dev", "ops"), List.of("mcp:tools", "mcp:read"), "oauth")));
  }

  @Test
  void validEs256TokenWithScopesAsAnScpList() {
    String token = TestTokens.sign(ec, good().claim("scope", null).claim("scp", List.of("mcp:tools")).build());
    assertThat(validator.validate(token)).isEqualTo(new OAuthValidator.Valid(
        new Principal("alice", List.of("dev", "ops"), List.of("mcp:tools"), "oauth")));
  }

  @Test
  void validEdDsaToken() {
    OAuthValidator.Result r = validator.validate(TestTokens.sign(ed, good().build()));
    assertThat(r).isInstanceOf(OAuthValidator.Valid.class);
  }

  @Test
  void expiredTokensAreRefusedAfterTheSkew() {
    Instant now = clock.instant();
    String withinSkew = TestTokens.sign(rsa, good().expirationTime(Date.from(now.minusSeconds(30))).build());
    String pastSkew = TestTokens.sign(rsa, good().expirationTime(Date.from(now.minusSeconds(61))).build());
    assertThat(validator.validate(withinSkew)).isInstanceOf(OAuthValidator.Valid.class);
    assertInvalidToken(refused(pastSkew), "token expired");
  }

  @Test
  void tokensNotValidYetOrIssuedInTheFutureAreRefused() {
    Instant now = clock.instant();
    String nbf = TestTokens.sign(rsa, good().notBeforeTime(Date.from(now.plusSeconds(120))).build());
    String iat = TestTokens.sign(rsa, good().issueTime(Date.from(now.plusSeconds(120))).build());
    String nbfWithinSkew = TestTokens.sign(rsa, good().notBeforeTime(Date.from(now.plusSeconds(45))).build());
    assertInvalidToken(refused(nbf), "token not valid yet");
    assertInvalidToken(refused(iat), "token issued in the future");
    assertThat(validator.validate(nbfWithinSkew)).isInstanceOf(OAuthValidator.Valid.class);
  }

  @Test
  void wrongIssuerIsRefused() {
    assertInvalidToken(refused(TestTokens.sign(rsa, good().issuer("https://evil.example.com").build())),
        "wrong issuer");
    assertInvalidToken(refused(TestTokens.sign(rsa, good().issuer(null).build())), "wrong issuer");
  }

  @Test
  void aTokenForAnotherResourceIsRefused() {
    String other = TestTokens.sign(rsa, good().audience("https://other.example.com/mcp").build());
    String none = TestTokens.sign(rsa, good().audience((String) null).build());
    String clientId = TestTokens.sign(rsa, good().audience("my-client-id").build());
    String description = "token is not for this resource (aud must contain " + RESOURCE + ")";
    assertInvalidToken(refused(other), description);
    assertInvalidToken(refused(none), description);
    assertInvalidToken(refused(clientId), description);
  }

  @Test
  void audienceMayListSeveralResourcesAndUseUppercaseSchemeAndHost() {
    String several = TestTokens.sign(rsa, good().audience(List.of("https://other.example.com", RESOURCE)).build());
    String upper = TestTokens.sign(rsa, good().audience("HTTPS://MCP.Example.COM/mcp").build());
    assertThat(validator.validate(several)).isInstanceOf(OAuthValidator.Valid.class);
    assertThat(validator.validate(upper)).isInstanceOf(OAuthValidator.Valid.class);
    // the path is case-sensitive: /MCP is another resource
    String path = TestTokens.sign(rsa, good().audience("https://mcp.example.com/MCP").build());
    assertThat(validator.validate(path)).isInstanceOf(OAuthValidator.Invalid.class);
  }

  @Test
  void missingExpiryIsRefused() {
    assertInvalidToken(refused(TestTokens.sign(rsa, good().expirationTime(null).build())), "token has no expiry");
  }

  @Test
  void missingSubjectIsRefused() {
    assertInvalidToken(refused(TestTokens.sign(rsa, good().subject(null).build())), "token has no usable subject");
  }

  @Test
  void aSignatureByAnotherKeyUnderTheSameKidIsRefused() {
    RSAKey impostor = TestTokens.rsa("rsa-1");
    assertInvalidToken(refused(TestTokens.sign(impostor, good().build())), "signature does not verify");
  }

  @Test
  void aTamperedPayloadIsRefused() {
    String token = TestTokens.sign(rsa, good().build());
    String[] parts = token.split("\\.");
    String forged = parts[0] + "." + Base64URL.encode(good().subject("root").build().toString()) + "." + parts[2];
    assertInvalidToken(refused(forged), "signature does not verify");
  }

  @Test
  void anUnknownKidIsRefetchedAtMostEvery30SecondsAndRotationIsPickedUp() {
    assertThat(validator.validate(TestTokens.sign(rsa, good().build()))).isInstanceOf(OAuthValidator.Valid.class);
    assertThat(jwks.fetches()).isEqualTo(1);

    // the issuer rotates: a new key appears next to the old one
    RSAKey rotated = TestTokens.rsa("rsa-2");
    jwks.serve(List.of(rsa.toPublicJWK(), rotated.toPublicJWK()));
    String newToken = TestTokens.sign(rotated, good().build());

    // we fetched just now, so the unknown kid does not trigger another fetch yet
    clock.advance(Duration.ofSeconds(10));
    assertInvalidToken(refused(newToken), "unknown signing key rsa-2");
    assertThat(jwks.fetches()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(21));
    assertThat(validator.validate(TestTokens.sign(rotated, good().build())))
        .isInstanceOf(OAuthValidator.Valid.class);
    assertThat(jwks.fetches()).isEqualTo(2);

    // a flood of made-up kids within the next 30 s costs the issuer nothing
    for (int i = 0; i < 20; i++) {
      clock.advance(Duration.ofSeconds(1));
      String madeUp = TestTokens.sign(TestTokens.ec("made-up-" + i), good().build());
      assertThat(validator.validate(madeUp)).isInstanceOf(OAuthValidator.Invalid.class);
    }
    assertThat(jwks.fetches()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(10));
    assertThat(validator.validate(TestTokens.sign(TestTokens.ec("made-up"), good().build())))
        .isInstanceOf(OAuthValidator.Invalid.class);
    assertThat(jwks.fetches()).isEqualTo(3);
  }

  @Test
  void keysTheIssuerWithdrewStopWorkingOnceTheCacheIsOld() {
    String token = TestTokens.sign(rsa, good().expirationTime(Date.from(clock.instant().plusSeconds(7200))).build());
    assertThat(validator.validate(token)).isInstanceOf(OAuthValidator.Valid.class);
    jwks.serve(List.of(ec.toPublicJWK()));

    clock.advance(Duration.ofMinutes(10));
    assertThat(validator.validate(token)).isInstanceOf(OAuthValidator.Valid.class);
    clock.advance(Duration.ofMinutes(6));
    assertInvalidToken(refused(token), "unknown signing key rsa-1");
  }

  @Test
  void algNoneIsRefused() {
    String header = Base64URL.encode("{\"alg\":\"none\"}").toString();
    String payload = Base64URL.encode(good().build().toString()).toString();
    assertInvalidToken(refused(header + "." + payload + "."), "algorithm none is not accepted");
  }

  @Test
  void hs256WithThePublicKeyAsSecretIsRefusedBeforeAnyKeyIsLookedAt() throws Exception {
    byte[] publicKeyBytes = rsa.toRSAPublicKey().getEncoded();
    String token = TestTokens.sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), good().build(),
        jwt -> jwt.sign(new MACSigner(publicKeyBytes)));
    assertInvalidToken(refused(token), "algorithm HS256 is not accepted");
    assertThat(jwks.fetches()).isZero();
  }

  @Test
  void otherAsymmetricAlgorithmsAreRefusedToo() {
    String ps256 = TestTokens.sign(new JWSHeader.Builder(JWSAlgorithm.PS256).keyID("rsa-1").build(), good().build(),
        jwt -> jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(rsa)));
    assertInvalidToken(refused(ps256), "algorithm PS256 is not accepted");
  }

  @Test
  void aMissingRequiredScopeIsInsufficientScopeWith403() {
    OAuthValidator strict = validator(List.of("mcp:tools", "mcp:admin"));
    OAuthValidator.Result r = strict.validate(TestTokens.sign(rsa, good().build()));
    assertThat(r).isEqualTo(new OAuthValidator.Invalid(403, "insufficient_scope", "token lacks a required scope",
        "mcp:tools mcp:admin"));
    OAuthValidator.Result noScope = validator.validate(TestTokens.sign(rsa, good().claim("scope", null).build()));
    assertThat(((OAuthValidator.Invalid) noScope).status()).isEqualTo(403);
  }

  @Test
  void groupsComeFromTheConfiguredClaimOrANestedPath() {
    OAuthValidator keycloak = new OAuthValidator(new IdentityConfig.OAuth(ISSUER, jwks.uri(), RESOURCE, List.of(),
        "realm_access.roles"), clock);
    String token = TestTokens.sign(rsa, good().claim("realm_access", Map.of("roles", List.of("admin"))).build());
    OAuthValidator.Valid ok = (OAuthValidator.Valid) keycloak.validate(token);
    assertThat(ok.principal().groups()).containsExactly("admin");
    String malformed = TestTokens.sign(rsa, good().claim("groups", List.of(1, 2)).build());
    assertInvalidToken(refused(malformed), "scope or groups claim malformed or too large");
  }

  @Test
  void anOversizeTokenIsRefusedWithoutParsingOrFetching() {
    String big = "eyJ" + "a".repeat(OAuthValidator.MAX_TOKEN_LENGTH) + ".b.c";
    assertInvalidToken(refused(big), "token longer than 16384 characters");
    assertThat(jwks.fetches()).isZero();
  }

  @Test
  void garbageIsAnAnswerNotAnException() {
    for (String junk : List.of("", "abc", "a.b.c", "...", "a.b.c.d.e", "eyJ.eyJ.eyJ", "%%%.%%%.%%%",
        "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.AAAA", Base64URL.encode("{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}") + ".e30.")) {
      OAuthValidator.Invalid no = refused(junk);
      assertThat(no.status()).as(junk).isEqualTo(401);
      assertThat(no.error()).isEqualTo("invalid_token");
    }
    assertThat(refused(null).description()).isEqualTo("no token");
  }

  @Test
  void jwksServerDownIsInvalidTokenNotAnException() {
    jwks.close();
    assertInvalidToken(refused(TestTokens.sign(rsa, good().build())), "signing keys unavailable");
  }

  @Test
  void jwksErrorsAndOversizeBodiesAreInvalidTokenAndRetriedLater() {
    jwks.serveRaw(500, "oops");
    String token = TestTokens.sign(rsa, good().build());
    assertInvalidToken(refused(token), "signing keys unavailable");

    clock.advance(Duration.ofSeconds(31));
    jwks.serveRaw(200, "{\"keys\":[], \"pad\":\"" + "x".repeat(JwksCache.MAX_BYTES) + "\"}");
    assertInvalidToken(refused(token), "signing keys unavailable");

    clock.advance(Duration.ofSeconds(31));
    jwks.serveRaw(200, "not json");
    assertInvalidToken(refused(token), "signing keys unavailable");
    assertThat(jwks.fetches()).isEqualTo(3);

    clock.advance(Duration.ofSeconds(31));
    jwks.serve(List.<JWK>of(rsa.toPublicJWK()));
    assertThat(validator.validate(token)).isInstanceOf(OAuthValidator.Valid.class);
  }

  @Test
  void privateKeyMaterialInTheJwksIsNeverUsedAsAnHmacSecret() {
    // An issuer that (wrongly) publishes an oct key still cannot get HS256 accepted.
    jwks.serveRaw(200, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"k\",\"k\":\"" + Base64URL.encode(new byte[32])
        + "\"}]}");
    String token = TestTokens.sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k").build(), good().build(),
        jwt -> jwt.sign(new MACSigner(new byte[32])));
    assertInvalidToken(refused(token), "algorithm HS256 is not accepted");
  }
}
