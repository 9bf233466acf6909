package dev.aegis.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.store.sqlite.SqliteStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys Aegis holds for agents: standard Ed25519 (the JDK verifies them), owner-only, checked on load. */
class KeysTest {
  @TempDir
  Path dir;

  @Test
  void signaturesAreStandardEd25519ThatTheJdkVerifies() throws Exception {
    try (SqliteStore store = SqliteStore.open(dir.resolve("m.db"))) {
      Keys keys = Keys.open(dir.resolve("keys"), store);
      byte[] payload = "{\"key\":\"notes\"}".getBytes(StandardCharsets.UTF_8);
      Keys.Signed s = keys.sign("alice", payload);
      assertThat(keys.verify(s.keyId(), payload, s.signature())).isTrue();
      assertThat(keys.verify(s.keyId(), "{\"key\":\"other\"}".getBytes(StandardCharsets.UTF_8), s.signature()))
          .isFalse();
      assertThat(keys.verify("ed25519:unknown", payload, s.signature())).isFalse();
      assertThat(keys.verify(s.keyId(), payload, "not base64 !")).isFalse();

      PublicKey pub = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(
          Base64.getDecoder().decode(store.publicKey(s.keyId()).orElseThrow())));
      Signature jdk = Signature.getInstance("Ed25519");
      jdk.initVerify(pub);
      jdk.update(payload);
      assertThat(jdk.verify(Base64.getUrlDecoder().decode(s.signature()))).isTrue();
      assertThat(Keys.keyIdOf(pub.getEncoded())).isEqualTo(s.keyId());
    }
  }

  @Test
  void keyFilesAreOwnerOnlyPerPrincipalAndReusedAcrossInstances() throws Exception {
    try (SqliteStore store = SqliteStore.open(dir.resolve("m.db"))) {
      Keys a = Keys.open(dir.resolve("keys"), store);
      String alice = a.keyId("alice");
      assertThat(a.keyId("bob")).isNotEqualTo(alice);
      Keys again = Keys.open(dir.resolve("keys"), store); // another instance sharing the folder
      assertThat(again.keyId("alice")).isEqualTo(alice);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keys"))))
          .isEqualTo("rwx------");
      try (Stream<Path> files = Files.list(dir.resolve("keys"))) {
        for (Path f : files.toList()) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        }
      }
    }
  }

  @Test
  void aDamagedKeyFileIsRefusedNotReplaced() throws Exception {
    try (SqliteStore store = SqliteStore.open(dir.resolve("m.db"))) {
      Keys.open(dir.resolve("keys"), store).keyId("alice");
      Path file;
      try (Stream<Path> files = Files.list(dir.resolve("keys"))) {
        file = files.filter(f -> f.toString().endsWith(".key")).findFirst().orElseThrow();
      }
      List<String> lines = Files.readAllLines(file);
      Files.write(file, lines.stream().map(l -> l.startsWith("public=")
          ? "public=MCowBQYDK2VwAyEA" + "A".repeat(43) + "=" : l).toList());
      assertThatThrownBy(() -> Keys.open(dir.resolve("keys"), store).keyId("alice"))
          .isInstanceOf(StoreException.class).hasMessageContaining("damaged");
    }
  }
}
