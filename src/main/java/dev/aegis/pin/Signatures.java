package dev.aegis.pin;

import com.google.re2j.Pattern;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Publisher signatures over a {@link Manifest}: Ed25519 keys in PEM files, and a JWS (RFC 7515 compact form, RFC 8037
 * {@code EdDSA}) whose payload is the manifest's canonical JSON. A gateway verifies a server's signature against the
 * publisher keys it trusts for that server, and learns which entries drifted when the signature no longer covers
 * what the server offers.
 *
 * <pre>{@code
 * KeyPair pair = Signatures.generate();
 * String jws = Signatures.sign(manifest, pair.getPrivate());
 * Signatures.Verification v = Signatures.verify(jws, manifest,
 *     Map.of(Signatures.keyId(pair.getPublic()), pair.getPublic()));
 * assert v.status() == Signatures.Status.VALID;
 * }</pre>
 */
public final class Signatures {
  /** The JWS {@code typ}: a signature made for something else with the same key is never taken for a manifest's. */
  public static final String TYPE = "aegis-manifest+jws";
  /** Longer JWS strings are refused before decoding: twice the largest manifest file, plus base64. */
  public static final int MAX_JWS = 16 << 20;

  private static final int MAX_HEADER = 8 << 10;
  private static final int MAX_KEY_FILE = 64 << 10;
  private static final Pattern KID = Pattern.compile("[\\x21-\\x7e]{1,128}");
  private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private Signatures() {}

  /** What {@link #verify} concluded; only {@link #VALID} means the publisher signed exactly what is offered. */
  public enum Status { VALID, UNTRUSTED_KEY, BAD_SIGNATURE, MISMATCH, MALFORMED }

  /**
   * The outcome of {@link #verify}: {@code keyId} is the JWS {@code kid} when the header could be read (else null),
   * {@code detail} a one-line explanation fit for a log or terminal.
   */
  public record Verification(Status status, String keyId, String detail) {
    public Verification {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(detail, "detail");
    }

    public boolean valid() {
      return status == Status.VALID;
    }
  }

  // ---- keys ----

  /** A fresh Ed25519 key pair from the JDK's provider. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 missing from the JDK", e);
    }
  }

  /** {@code "ed25519:"} and the first 16 hex digits of the SHA-256 of the key's X.509 SubjectPublicKeyInfo. */
  public static String keyId(PublicKey key) {
    requireEd25519(key);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return "ed25519:" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /**
   * The public half of an Ed25519 private key, so that a key file alone is enough to sign (the JWS names its key).
   * The JDK has no API for this; its generator turns exactly 32 random bytes into the pair, so we hand it the private
   * key as its randomness and then check the result with a signature round trip.
   */
  public static PublicKey publicKeyOf(PrivateKey key) {
    byte[] seed = requireEd25519(key).getBytes()
        .orElseThrow(() -> new IllegalArgumentException("the Ed25519 private key does not expose its bytes"));
    SecureRandom replay = new SecureRandom() {
      private boolean used;

      @Override
      public void nextBytes(byte[] bytes) {
        if (used || bytes.length != seed.length) {
          throw new IllegalStateException("unexpected use of randomness while deriving an Ed25519 public key");
        }
        used = true;
        System.arraycopy(seed, 0, bytes, 0, seed.length);
      }
    };
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("Ed25519");
      gen.initialize(NamedParameterSpec.ED25519, replay);
      KeyPair pair = gen.generateKeyPair();
      byte[] probe = "aegis public key derivation".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      s.initVerify(pair.getPublic());
      s.update(probe);
      if (!s.verify(sig)) {
        throw new IllegalStateException("derived Ed25519 public key does not match the private key");
      }
      return pair.getPublic();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot derive the Ed25519 public key", e);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  /**
   * Writes {@code key} as PKCS#8 PEM to a new file readable by its owner only (where the file system has POSIX
   * permissions).
   *
   * @throws java.nio.file.FileAlreadyExistsException when {@code file} exists: a key is never overwritten
   */
  public static void writePrivate(Path file, PrivateKey key) throws IOException {
    requireEd25519(key);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    try {
      Files.writeString(file, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII,
          StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  /**
   * Writes {@code key} as X.509 SubjectPublicKeyInfo PEM to a new file.
   *
   * @throws java.nio.file.FileAlreadyExistsException when {@code file} exists
   */
  public static void writePublic(Path file, PublicKey key) throws IOException {
    requireEd25519(key);
    Files.writeString(file, pem("PUBLIC KEY", key.getEncoded()), StandardCharsets.US_ASCII,
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /**
   * Reads an Ed25519 private key from a PKCS#8 PEM file ({@code -----BEGIN PRIVATE KEY-----}).
   *
   * @throws IllegalArgumentException naming the file when it holds something else
   */
  public static PrivateKey readPrivate(Path file) throws IOException {
    String text = readSmall(file);
    try {
      byte[] der = pemBody(text, "PRIVATE KEY");
      try {
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (InvalidKeySpecException e) {
        throw new IllegalArgumentException("not an Ed25519 private key" + otherType(der, true));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 missing from the JDK", e);
    }
  }

  /**
   * Reads an Ed25519 public key from a file holding PEM ({@code -----BEGIN PUBLIC KEY-----}) or bare base64.
   *
   * @throws IllegalArgumentException naming the file when it holds something else
   */
  public static PublicKey readPublic(Path file) throws IOException {
    String text = readSmall(file);
    try {
      return publicFromString(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * An Ed25519 public key from PEM text or bare base64 of its X.509 SubjectPublicKeyInfo, as written inline in a
   * trust store ({@code MCowBQYDK2VwAyEA...}).
   */
  public static PublicKey publicFromString(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty public key");
    }
    byte[] der;
    if (text.contains("-----BEGIN")) {
      der = pemBody(text, "PUBLIC KEY");
    } else {
      der = base64(text.replaceAll("\\s+", ""), "the public key");
    }
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (InvalidKeySpecException e) {
      throw new IllegalArgumentException("not an Ed25519 public key" + otherType(der, false));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 missing from the JDK", e);
    }
  }

  // ---- JWS ----

  /**
   * Signs the canonical JSON of {@code manifest}: a JWS in compact form with protected header
   * {@code {"alg":"EdDSA","kid":<keyId>,"typ":"aegis-manifest+jws"}}.
   */
  public static String sign(JsonNode manifest, PrivateKey key) {
    Objects.requireNonNull(manifest, "manifest");
    String kid = keyId(publicKeyOf(key));
    ObjectNode header = JsonNodeFactory.instance.objectNode();
    header.put("alg", "EdDSA");
    header.put("kid", kid);
    header.put("typ", TYPE);
    String input = B64URL.encodeToString(Manifest.STRICT.writeValueAsBytes(header)) + "."
        + B64URL.encodeToString(Canonical.bytes(manifest));
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64URL.encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with Ed25519", e);
    }
  }

  /**
   * Checks that {@code jws} is a signature by one of the {@code trusted} keys (by key id) over exactly
   * {@code expectedManifest}, which should come from {@link Manifest#of} so that list order does not matter. Never
   * throws for a bad {@code jws}: every problem is a {@link Verification}. Keys embedded in the header
   * ({@code jwk}, {@code x5c}, ...) are ignored; only {@code trusted} counts.
   */
  public static Verification verify(String jws, JsonNode expectedManifest, Map<String, PublicKey> trusted) {
    Objects.requireNonNull(expectedManifest, "expectedManifest");
    Objects.requireNonNull(trusted, "trusted");
    if (jws == null) {
      return malformed(null, "no signature");
    }
    if (jws.length() > MAX_JWS) {
      return malformed(null, "signature longer than " + MAX_JWS + " characters");
    }
    jws = jws.strip();
    String[] parts = jws.split("\\.", -1);
    if (parts.length != 3) {
      return malformed(null, "not a JWS in compact form (header.payload.signature): " + (parts.length - 1)
          + " dot(s)");
    }
    byte[] headerBytes;
    byte[] payload;
    byte[] sig;
    try {
      headerBytes = strictBase64(parts[0], "header");
      payload = strictBase64(parts[1], "payload");
      sig = strictBase64(parts[2], "signature");
    } catch (IllegalArgumentException e) {
      return malformed(null, e.getMessage());
    }
    if (headerBytes.length > MAX_HEADER) {
      return malformed(null, "header longer than " + MAX_HEADER + " bytes");
    }
    JsonNode header;
    try {
      header = Manifest.STRICT.readTree(headerBytes);
    } catch (JacksonException e) {
      return malformed(null, "header is not JSON: " + e.getOriginalMessage());
    }
    if (!header.isObject()) {
      return malformed(null, "header is not a JSON object");
    }
    JsonNode kidNode = header.get("kid");
    // the kid is echoed into logs and Verification.keyId: printable ASCII only, or it is no kid at all
    String kid = kidNode != null && kidNode.isString() && KID.matcher(kidNode.asString()).matches()
        ? kidNode.asString() : null;
    JsonNode alg = header.get("alg");
    // only EdDSA: "none", HMAC keyed with a public key and other algorithm confusions are refused outright
    if (alg == null || !alg.isString() || !alg.asString().equals("EdDSA")) {
      return malformed(kid, "alg must be \"EdDSA\"; was " + shown(alg));
    }
    JsonNode typ = header.get("typ");
    if (typ == null || !typ.isString() || !typ.asString().equals(TYPE)) {
      return malformed(kid, "typ must be \"" + TYPE + "\"; was " + shown(typ));
    }
    if (header.has("crit")) {
      // RFC 7515 4.1.11: extensions we do not implement (b64=false, ...) must make the JWS invalid
      return malformed(kid, "critical header extensions are not supported");
    }
    if (kid == null) {
      return malformed(null, "header has no kid of printable ASCII");
    }
    if (sig.length != 64) {
      return malformed(kid, "signature is " + sig.length + " bytes; Ed25519 signatures are 64");
    }
    PublicKey key = trusted.get(kid);
    if (key == null) {
      return new Verification(Status.UNTRUSTED_KEY, kid, "signed by " + Manifest.quote(kid)
          + ", which is not a trusted key for this server");
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(requireEd25519(key));
      s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!s.verify(sig)) {
        return new Verification(Status.BAD_SIGNATURE, kid, "the signature does not verify with " + kid);
      }
    } catch (java.security.SignatureException e) {
      return new Verification(Status.BAD_SIGNATURE, kid, "the signature does not verify with " + kid);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("trusted key " + kid + " cannot verify Ed25519 signatures", e);
    }
    byte[] expected = Canonical.bytes(expectedManifest);
    if (Arrays.equals(payload, expected)) {
      return new Verification(Status.VALID, kid, "signed by " + kid);
    }
    JsonNode signed;
    try {
      signed = Manifest.STRICT.readTree(payload);
    } catch (JacksonException e) {
      return new Verification(Status.MISMATCH, kid, "the signed payload is not JSON");
    }
    // a signer whose canonical form differs in spelling only (number format, escapes) still signed the same value
    if (Arrays.equals(Canonical.bytes(signed), expected)) {
      return new Verification(Status.VALID, kid, "signed by " + kid);
    }
    return new Verification(Status.MISMATCH, kid, Manifest.drift(signed, expectedManifest));
  }

  // ---- internals ----

  private static String shown(JsonNode value) {
    return value == null ? "absent" : Manifest.quote(value.isString() ? value.asString() : value.toString());
  }

  private static Verification malformed(String kid, String detail) {
    return new Verification(Status.MALFORMED, kid, detail);
  }

  private static byte[] strictBase64(String part, String what) {
    if (part.isEmpty()) {
      throw new IllegalArgumentException("empty " + what);
    }
    if (!BASE64URL.matcher(part).matches()) {
      throw new IllegalArgumentException(what + " is not unpadded base64url");
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(part);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not base64url: " + e.getMessage());
    }
    // one spelling per value: trailing bits must be zero, so a JWS cannot be re-encoded into a second valid one
    if (!B64URL.encodeToString(bytes).equals(part)) {
      throw new IllegalArgumentException(what + " is not canonical base64url");
    }
    return bytes;
  }

  private static EdECPrivateKey requireEd25519(PrivateKey key) {
    if (key instanceof EdECPrivateKey k && k.getParams().getName().equalsIgnoreCase("Ed25519")) {
      return k;
    }
    throw new IllegalArgumentException("not an Ed25519 private key: " + describe(key));
  }

  private static PublicKey requireEd25519(PublicKey key) {
    if (key instanceof EdECPublicKey k && k.getParams().getName().equalsIgnoreCase("Ed25519")) {
      return k;
    }
    throw new IllegalArgumentException("not an Ed25519 public key: " + describe(key));
  }

  private static String describe(java.security.Key key) {
    if (key == null) {
      return "null";
    }
    if (key instanceof EdECPrivateKey k) {
      return k.getParams().getName();
    }
    if (key instanceof EdECPublicKey k) {
      return k.getParams().getName();
    }
    return key.getAlgorithm();
  }

  /** Names the key type a DER blob holds, so "this is an RSA key" beats "invalid key spec". */
  private static String otherType(byte[] der, boolean isPrivate) {
    for (String alg : List.of("EdDSA", "RSA", "EC", "DSA", "XDH")) {
      try {
        KeyFactory f = KeyFactory.getInstance(alg);
        java.security.Key k = isPrivate ? f.generatePrivate(new PKCS8EncodedKeySpec(der))
            : f.generatePublic(new X509EncodedKeySpec(der));
        return " (it is " + describe(k) + "; Aegis signs with Ed25519: run 'aegis keygen')";
      } catch (GeneralSecurityException | RuntimeException e) {
        // not this type either
      }
    }
    return isPrivate ? " (expected PKCS#8 DER)" : " (expected X.509 SubjectPublicKeyInfo DER)";
  }

  private static String pem(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  private static byte[] pemBody(String text, String label) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int b = text.indexOf(begin);
    if (b < 0) {
      int other = text.indexOf("-----BEGIN ");
      if (other >= 0) {
        int close = text.indexOf("-----", other + 11);
        String found = close < 0 ? "?" : text.substring(other + 11, Math.min(close, other + 60));
        String hint = found.equals("OPENSSH PRIVATE KEY")
            ? "; OpenSSH keys are not supported, use 'aegis keygen' or 'openssl genpkey -algorithm ed25519'"
            : found.equals("PUBLIC KEY") ? "; this is a public key" : found.equals("PRIVATE KEY")
            ? "; this is a private key" : "";
        throw new IllegalArgumentException("expected a PEM '" + label + "', found '" + found + "'" + hint);
      }
      throw new IllegalArgumentException("expected a PEM '" + label + "' block");
    }
    int e = text.indexOf(end, b);
    if (e < 0) {
      throw new IllegalArgumentException("PEM '" + label + "' block has no END line");
    }
    return base64(text.substring(b + begin.length(), e).replaceAll("\\s+", ""), "the PEM body");
  }

  private static byte[] base64(String s, String what) {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not base64");
    }
  }

  private static String readSmall(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_KEY_FILE + 1);
      if (bytes.length > MAX_KEY_FILE) {
        throw new IllegalArgumentException(file + ": too large for a key file (over " + MAX_KEY_FILE + " bytes)");
      }
      return new String(bytes, StandardCharsets.US_ASCII);
    }
  }
}
