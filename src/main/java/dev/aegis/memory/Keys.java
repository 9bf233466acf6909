package dev.aegis.memory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The Ed25519 keys Aegis holds for principals that have none of their own, one file per principal in an owner-only
 * folder, created on first use; their public halves are recorded in the store so any instance can verify. Also the
 * instance key that signs checkpoints ({@link #INSTANCE}).
 *
 * <pre>{@code
 * Keys keys = Keys.open(dir, store);
 * Keys.Signed s = keys.sign("alice", payload);          // keyId + base64url signature
 * boolean ok = keys.verify(s.keyId(), payload, s.signature());
 * }</pre>
 */
public final class Keys {
  /** The principal whose key signs checkpoints. */
  public static final String INSTANCE = "aegis:instance";

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final Path dir;
  private final MemoryStore store;
  private final Map<String, Signer> signers = new ConcurrentHashMap<>();
  private final Map<String, Optional<byte[]>> publics = new ConcurrentHashMap<>();
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
  /** DER prefixes of an Ed25519 key (RFC 8410): X.509 SubjectPublicKeyInfo and PKCS #8 v1, each before 32 bytes. */
  private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");

  /** A key id and a signature over some payload. */
  public record Signed(String keyId, String signature) {}

  /** Raw RFC 8032 keys: the 32-byte private seed and public key. */
  private record Signer(String keyId, byte[] secret, byte[] pub) {}

  private Keys(Path dir, MemoryStore store) {
    this.dir = dir;
    this.store = store;
  }

  /** The key folder {@code dir} (created owner-only) backed by {@code store}'s key registry. */
  public static Keys open(Path dir, MemoryStore store) {
    try {
      Files.createDirectories(dir);
      try {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: rely on the folder's own permissions
      }
    } catch (IOException e) {
      throw new StoreException("cannot create the memory key folder " + dir + ": " + e.getMessage(), e);
    }
    return new Keys(dir, store);
  }

  /** Signs {@code payload} with {@code principal}'s key, creating the key on first use. */
  public Signed sign(String principal, byte[] payload) {
    Signer s = signers.computeIfAbsent(principal, this::load);
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(s.secret(), 0, s.pub(), 0, payload, 0, payload.length, sig, 0);
    return new Signed(s.keyId(), B64.encodeToString(sig));
  }

  /** The key id {@code principal} signs with (creating the key on first use). */
  public String keyId(String principal) {
    return signers.computeIfAbsent(principal, this::load).keyId();
  }

  /** Whether {@code signature} is a valid signature of {@code payload} by the key recorded as {@code keyId}. */
  public boolean verify(String keyId, byte[] payload, String signature) {
    if (keyId == null || signature == null) {
      return false;
    }
    Optional<byte[]> key = publics.computeIfAbsent(keyId, id -> store.publicKey(id).map(Keys::rawPublic));
    if (key.isEmpty()) {
      publics.remove(keyId); // it may be registered by another instance later
      return false;
    }
    return verifyRaw(key.get(), payload, signature);
  }

  /** Whether {@code signature} (base64url) is {@code pub}'s (raw 32 bytes) Ed25519 signature of {@code payload}. */
  static boolean verifyRaw(byte[] pub, byte[] payload, String signature) {
    try {
      byte[] sig = B64D.decode(signature);
      return sig.length == Ed25519.SIGNATURE_SIZE && pub.length == Ed25519.PUBLIC_KEY_SIZE
          && Ed25519.verify(sig, 0, pub, 0, payload, 0, payload.length);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The public key (X.509, base64) of the instance key in this folder: what a verifier trusts checkpoints by. */
  public String instancePublicKey() {
    keyId(INSTANCE);
    return readFile(file(INSTANCE)).getProperty("public");
  }

  /** The key id of a public key (X.509 DER): {@code ed25519:} and 16 hex digits of its SHA-256. */
  static String keyIdOf(byte[] publicDer) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(publicDer);
      return "ed25519:" + HexFormat.of().formatHex(d, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The raw 32 bytes of an Ed25519 public key given as X.509 DER in base64. */
  static byte[] rawPublic(String base64Der) {
    return raw(base64Der, X509_PREFIX, "public");
  }

  private static byte[] raw(String base64Der, byte[] prefix, String what) {
    try {
      byte[] der = Base64.getDecoder().decode(base64Der);
      if (der.length != prefix.length + 32
          || !java.util.Arrays.equals(der, 0, prefix.length, prefix, 0, prefix.length)) {
        throw new StoreException("not an Ed25519 " + what + " key", null);
      }
      return java.util.Arrays.copyOfRange(der, prefix.length, der.length);
    } catch (IllegalArgumentException e) {
      throw new StoreException("not an Ed25519 " + what + " key: " + e.getMessage(), e);
    }
  }

  private static String der(byte[] prefix, byte[] raw) {
    byte[] out = java.util.Arrays.copyOf(prefix, prefix.length + raw.length);
    System.arraycopy(raw, 0, out, prefix.length, raw.length);
    return Base64.getEncoder().encodeToString(out);
  }

  private Path file(String principal) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(principal.getBytes(StandardCharsets.UTF_8));
      return dir.resolve(HexFormat.of().formatHex(d, 0, 16) + ".key");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Loads {@code principal}'s key, or creates it (the first process to create the file wins), and registers it. */
  private Signer load(String principal) {
    Path f = file(principal);
    if (!Files.exists(f)) {
      create(principal, f);
    }
    Properties p = readFile(f);
    if (!principal.equals(p.getProperty("principal"))) {
      throw new StoreException("key file " + f + " belongs to '" + p.getProperty("principal") + "', not '"
          + principal + "'", null);
    }
    byte[] secret;
    byte[] pub;
    String pubDer = p.getProperty("public");
    try {
      secret = raw(p.getProperty("private"), PKCS8_PREFIX, "private");
      pub = rawPublic(pubDer);
    } catch (StoreException | NullPointerException e) {
      throw new StoreException("key file " + f + " is damaged: " + e.getMessage(), e);
    }
    byte[] derived = new byte[Ed25519.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(secret, 0, derived, 0);
    if (!java.util.Arrays.equals(derived, pub)) {
      throw new StoreException("key file " + f + " is damaged: its public key does not match its private key", null);
    }
    String keyId = keyIdOf(Base64.getDecoder().decode(pubDer));
    store.registerKey(keyId, principal, pubDer);
    return new Signer(keyId, secret, pub);
  }

  private void create(String principal, Path f) {
    try {
      byte[] secret = new byte[Ed25519.SECRET_KEY_SIZE];
      RANDOM.nextBytes(secret);
      byte[] pub = new byte[Ed25519.PUBLIC_KEY_SIZE];
      Ed25519.generatePublicKey(secret, 0, pub, 0);
      Properties p = new Properties();
      p.setProperty("principal", principal);
      p.setProperty("private", der(PKCS8_PREFIX, secret)); // PKCS #8 and X.509, as the JDK and openssl read them
      p.setProperty("public", der(X509_PREFIX, pub));
      Path tmp = Files.createTempFile(dir, ".key", ".tmp");
      try {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
          // not POSIX
        }
        try (var out = Files.newOutputStream(tmp)) {
          p.store(out, "Aegis memory signing key of " + principal.replace('\r', ' ').replace('\n', ' '));
        }
        try {
          Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, f);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (FileAlreadyExistsException e) {
      // another process created it first: use theirs
    } catch (IOException e) {
      throw new StoreException("cannot create a signing key for " + principal + " in " + dir + ": "
          + e.getMessage(), e);
    }
  }

  private static Properties readFile(Path f) {
    Properties p = new Properties();
    try (var in = Files.newInputStream(f)) {
      p.load(in);
    } catch (IOException e) {
      throw new StoreException("cannot read key file " + f + ": " + e.getMessage(), e);
    }
    return p;
  }
}
