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
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

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
  private final Map<String, Optional<PublicKey>> publics = new ConcurrentHashMap<>();

  /** A key id and a signature over some payload. */
  public record Signed(String keyId, String signature) {}

  private record Signer(String keyId, PrivateKey key) {}

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
    try {
      Signature sig = Signature.getInstance("Ed25519");
      sig.initSign(s.key());
      sig.update(payload);
      return new Signed(s.keyId(), B64.encodeToString(sig.sign()));
    } catch (GeneralSecurityException e) {
      throw new StoreException("cannot sign for " + principal + ": " + e.getMessage(), e);
    }
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
    Optional<PublicKey> key = publics.computeIfAbsent(keyId, id -> store.publicKey(id).map(Keys::publicKey));
    if (key.isEmpty()) {
      publics.remove(keyId); // it may be registered by another instance later
      return false;
    }
    try {
      Signature sig = Signature.getInstance("Ed25519");
      sig.initVerify(key.get());
      sig.update(payload);
      return sig.verify(B64D.decode(signature));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
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

  static PublicKey publicKey(String base64Der) {
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Base64.getDecoder()
          .decode(base64Der)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new StoreException("a recorded public key is not an Ed25519 key: " + e.getMessage(), e);
    }
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
    try {
      PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
          .decode(p.getProperty("private"))));
      String pub = p.getProperty("public");
      String keyId = keyIdOf(Base64.getDecoder().decode(pub));
      store.registerKey(keyId, principal, pub);
      return new Signer(keyId, key);
    } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
      throw new StoreException("key file " + f + " is damaged: " + e.getMessage(), e);
    }
  }

  private void create(String principal, Path f) {
    try {
      KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      Properties p = new Properties();
      p.setProperty("principal", principal);
      p.setProperty("private", Base64.getEncoder().encodeToString(kp.getPrivate().getEncoded()));
      p.setProperty("public", Base64.getEncoder().encodeToString(kp.getPublic().getEncoded()));
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
    } catch (IOException | GeneralSecurityException e) {
      throw new StoreException("cannot create a signing key for " + principal + " in " + dir + ": " + e.getMessage(), e);
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
