package dev.aegis.identity;

import com.google.re2j.Pattern;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Checks OAuth 2.1 access tokens (JWTs) the way the MCP authorization spec asks a resource server to.
 *
 * <pre>{@code
 * OAuthValidator v = new OAuthValidator(new IdentityConfig.OAuth("https://auth.example.com",
 *     URI.create("https://auth.example.com/jwks.json"), "https://mcp.example.com/mcp",
 *     List.of("mcp:tools"), "groups"));
 * OAuthValidator.Result r = v.validate(token);
 * if (r instanceof OAuthValidator.Valid ok) {
 *   use(ok.principal());                                   // name from sub, groups, scopes
 * } else if (r instanceof OAuthValidator.Invalid no) {
 *   refuse(no.status(), no.error(), no.description());     // 401 invalid_token, 403 insufficient_scope
 * }
 * }</pre>
 *
 * <p>In order: length (at most {@link #MAX_TOKEN_LENGTH}), compact JWS shape, an algorithm from {@link #ALGORITHMS}
 * ({@code none} and the HMAC family are refused before any key is looked at, so a public key can never be used as
 * an HMAC secret), the signature against the issuer's JWKS (keys named by {@code jku}, {@code jwk} or {@code x5u}
 * headers are ignored: the token does not get to choose who vouches for it), then {@code iss}, {@code aud} (must
 * contain the configured resource: a token minted for another service is not good here, RFC 8707), {@code exp}
 * (required), {@code nbf} and {@code iat} with {@link #SKEW} leeway, {@code sub}, and the required scopes.
 *
 * <p>Bad tokens are answers, not exceptions: {@link #validate} never throws for anything a client can send.
 */
public final class OAuthValidator {
  /** Algorithms accepted; all asymmetric. */
  public static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256,
      JWSAlgorithm.EdDSA);
  /** Longer tokens are refused unparsed. */
  public static final int MAX_TOKEN_LENGTH = 16 * 1024;
  /** Clock difference tolerated between the issuer and us. */
  public static final Duration SKEW = Duration.ofSeconds(60);

  static final int MAX_SUBJECT = 256;
  static final int MAX_GROUPS = 256;
  static final int MAX_SCOPES = 256;
  private static final int MIN_RSA_BITS = 2048;
  /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519; the raw 32-byte key follows. */
  private static final byte[] ED25519_SPKI = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  /** What {@link #validate} found. */
  public sealed interface Result permits Valid, Invalid {}

  /** The token is good; it acts for {@code principal}. */
  public record Valid(Principal principal) implements Result {}

  /**
   * The token is refused.
   *
   * @param status 401 for {@code invalid_token}, 403 for {@code insufficient_scope}
   * @param error the RFC 6750 error code
   * @param description why, for the {@code error_description} (never contains the token)
   * @param scope the scopes needed (space-separated) for {@code insufficient_scope}, else null
   */
  public record Invalid(int status, String error, String description, String scope) implements Result {}

  private final IdentityConfig.OAuth config;
  private final Clock clock;
  private final JwksCache keys;

  /** A validator on the system clock. */
  public OAuthValidator(IdentityConfig.OAuth config) {
    this(config, Clock.systemUTC());
  }

  /** A validator on {@code clock}: tests move time instead of sleeping. */
  public OAuthValidator(IdentityConfig.OAuth config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.keys = new JwksCache(config.jwksUri(), clock);
  }

  /** Checks {@code token} (the part after {@code Bearer }). */
  public Result validate(String token) {
    try {
      return check(token);
    } catch (RuntimeException e) {
      // nimbus and the JCA throw unchecked exceptions on some malformed input (bad base64, odd key encodings); a
      // token that trips one is a bad token, not a gateway failure.
      return invalid("malformed token");
    }
  }

  private Result check(String token) {
    if (token == null || token.isEmpty()) {
      return invalid("no token");
    }
    if (token.length() > MAX_TOKEN_LENGTH) {
      return invalid("token longer than " + MAX_TOKEN_LENGTH + " characters");
    }
    int parts = token.split("\\.", -1).length;
    if (parts != 3) {
      return invalid(parts == 5 ? "encrypted tokens are not accepted" : "not a signed JWT");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      // nimbus refuses alg "none" here: a plain JWT header is not a JWS header.
      return invalid(token.startsWith("eyJ") && headerSaysNone(token) ? "algorithm none is not accepted"
          : "malformed token");
    }
    JWSHeader header = jwt.getHeader();
    JWSAlgorithm alg = header.getAlgorithm();
    if (!ALGORITHMS.contains(alg)) {
      return invalid("algorithm " + alg + " is not accepted");
    }
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      return invalid("critical header parameters are not supported");
    }
    String kid = header.getKeyID();
    List<JWK> candidates = keys.find(matching(alg, kid));
    if (candidates.isEmpty()) {
      return invalid(!keys.hasKeys() ? keys.lastError()
          : kid == null ? "no signing key for " + alg : "unknown signing key " + printable(kid));
    }
    boolean verified = false;
    for (JWK key : candidates) {
      if (verifies(jwt, key)) {
        verified = true;
        break;
      }
    }
    if (!verified) {
      return invalid("signature does not verify");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return invalid("malformed claims");
    }
    return checkClaims(claims);
  }

  private Result checkClaims(JWTClaimsSet claims) {
    if (!config.issuer().equals(claims.getIssuer())) {
      return invalid("wrong issuer");
    }
    if (!audienceMatches(claims.getAudience())) {
      return invalid("token is not for this resource (aud must contain " + config.resource() + ")");
    }
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      return invalid("token has no expiry");
    }
    if (!now.isBefore(exp.toInstant().plus(SKEW))) {
      return invalid("token expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.plus(SKEW).isBefore(nbf.toInstant())) {
      return invalid("token not valid yet");
    }
    Date iat = claims.getIssueTime();
    if (iat != null && now.plus(SKEW).isBefore(iat.toInstant())) {
      return invalid("token issued in the future");
    }
    String sub = claims.getSubject();
    if (sub == null || sub.isBlank() || sub.length() > MAX_SUBJECT) {
      return invalid("token has no usable subject");
    }
    List<String> scopes = strings(claims.getClaim("scope") != null ? claims.getClaim("scope") : claims.getClaim("scp"),
        true);
    List<String> groups = strings(claimAt(claims, config.groupsClaim()), false);
    if (scopes == null || scopes.size() > MAX_SCOPES || groups == null || groups.size() > MAX_GROUPS) {
      return invalid("scope or groups claim malformed or too large");
    }
    if (!scopes.containsAll(config.requiredScopes())) {
      String need = String.join(" ", config.requiredScopes());
      return new Invalid(403, "insufficient_scope", "token lacks a required scope", need);
    }
    return new Valid(new Principal(sub, groups, scopes, "oauth"));
  }

  private boolean audienceMatches(List<String> audience) {
    for (String aud : audience) {
      try {
        if (ProtectedResource.canonical(aud).equals(config.resource())) {
          return true;
        }
      } catch (IllegalArgumentException notAUri) {
        // an audience that is not a URI (a client id, say) names something else
      }
    }
    return false;
  }

  private static Predicate<JWK> matching(JWSAlgorithm alg, String kid) {
    return key -> (kid == null || kid.equals(key.getKeyID()))
        && (key.getKeyUse() == null || KeyUse.SIGNATURE.equals(key.getKeyUse()))
        && (key.getAlgorithm() == null || alg.equals(key.getAlgorithm()))
        && fits(alg, key);
  }

  private static boolean fits(JWSAlgorithm alg, JWK key) {
    if (JWSAlgorithm.RS256.equals(alg)) {
      return key instanceof RSAKey rsa && rsa.size() >= MIN_RSA_BITS;
    }
    if (JWSAlgorithm.ES256.equals(alg)) {
      return key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve());
    }
    return key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve());
  }

  private static boolean verifies(SignedJWT jwt, JWK key) {
    try {
      if (key instanceof RSAKey rsa) {
        return jwt.verify(new RSASSAVerifier(rsa));
      }
      if (key instanceof ECKey ec) {
        return jwt.verify(new ECDSAVerifier(ec));
      }
      // nimbus's Ed25519Verifier needs Google Tink; the JDK has had Ed25519 since 15.
      OctetKeyPair okp = (OctetKeyPair) key;
      byte[] raw = okp.getX().decode();
      byte[] spki = new byte[ED25519_SPKI.length + raw.length];
      System.arraycopy(ED25519_SPKI, 0, spki, 0, ED25519_SPKI.length);
      System.arraycopy(raw, 0, spki, ED25519_SPKI.length, raw.length);
      PublicKey pub = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(pub);
      s.update(jwt.getSigningInput());
      return s.verify(jwt.getSignature().decode());
    } catch (JOSEException | GeneralSecurityException e) {
      return false;
    }
  }

  /** A claim by name, or by dotted path into nested objects ({@code realm_access.roles}) when no claim has the name. */
  private static Object claimAt(JWTClaimsSet claims, String name) {
    Object direct = claims.getClaim(name);
    if (direct != null || !name.contains(".")) {
      return direct;
    }
    Object at = claims.getClaims();
    for (String step : name.split("\\.")) {
      if (!(at instanceof Map<?, ?> map)) {
        return null;
      }
      at = map.get(step);
    }
    return at;
  }

  /**
   * A claim as a list of strings: absent → empty, a list of strings → itself, a string → split on spaces (scope,
   * RFC 8693) or a single entry; anything else → null (malformed).
   */
  private static List<String> strings(Object claim, boolean spaceSeparated) {
    if (claim == null) {
      return List.of();
    }
    if (claim instanceof String s) {
      if (!spaceSeparated) {
        return List.of(s);
      }
      return s.isBlank() ? List.of() : List.of(s.trim().split(" +"));
    }
    if (claim instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String s)) {
          return null;
        }
        out.add(s);
      }
      return out;
    }
    return null;
  }

  private static boolean headerSaysNone(String token) {
    try {
      String header = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
          StandardCharsets.UTF_8);
      return header.replace(" ", "").toLowerCase(Locale.ROOT).contains("\"alg\":\"none\"");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A kid for a description: bounded, and only characters a header value can carry. */
  private static final Pattern NOT_PRINTABLE = Pattern.compile("[^\\x21-\\x7e]");

  private static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return NOT_PRINTABLE.matcher(cut).replaceAll("?");
  }

  private static Invalid invalid(String description) {
    return new Invalid(401, "invalid_token", description, null);
  }
}
