package dev.aegis.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The Ed25519 key pair that signs audit checkpoints: {@code audit-ed25519.key} (PKCS#8, base64, mode 600) and
 * {@code audit-ed25519.pub} (X.509, base64) in {@code $AEGIS_HOME/keys}, created on first use.
 *
 * <pre>{@code KeyPair keys = AuditKeys.loadOrCreate(home.resolve("keys")); }</pre>
 */
public final class AuditKeys {
  public static final String PRIVATE_FILE = "audit-ed25519.key";
  public static final String PUBLIC_FILE = "audit-ed25519.pub";

  private AuditKeys() {}

  /**
   * Loads the key pair from {@code keysDir}, creating it (and the folder) when absent. Gateways starting together
   * take a lock on {@code keysDir/.lock} first, so exactly one creates the pair and none reads a half-written file.
   */
  public static synchronized KeyPair loadOrCreate(Path keysDir) throws IOException {
    Path priv = keysDir.resolve(PRIVATE_FILE);
    Path pub = keysDir.resolve(PUBLIC_FILE);
    Files.createDirectories(keysDir);
    try (java.nio.channels.FileChannel lockFile = java.nio.channels.FileChannel.open(keysDir.resolve(".lock"),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock ignored = lockFile.lock()) {
      if (!Files.exists(priv)) {
        KeyPair pair;
        try {
          pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("Ed25519 missing from the JDK", e);
        }
        try {
          Files.createFile(priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
          Files.createFile(priv);
        }
        Files.writeString(priv, encode(pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(pub, encode(pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
        return pair;
      }
      try {
        PrivateKey privateKey = KeyFactory.getInstance("Ed25519")
            .generatePrivate(new PKCS8EncodedKeySpec(read(priv)));
        return new KeyPair(loadPublic(pub), privateKey);
      } catch (GeneralSecurityException e) {
        throw new IOException("not an Ed25519 private key: " + priv, e);
      }
    }
  }

  /** Reads a public key written by {@link #loadOrCreate}. */
  public static PublicKey loadPublic(Path file) throws IOException {
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(read(file)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException("not an Ed25519 public key: " + file, e);
    }
  }

  static String sign(PrivateKey key, byte[] data) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(data);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a checkpoint", e);
    }
  }

  static boolean verify(PublicKey key, byte[] data, String sig) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(data);
      return s.verify(Base64.getUrlDecoder().decode(sig));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  private static String encode(byte[] der) {
    return Base64.getEncoder().encodeToString(der) + "\n";
  }

  private static byte[] read(Path file) throws IOException {
    return Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
  }
}
