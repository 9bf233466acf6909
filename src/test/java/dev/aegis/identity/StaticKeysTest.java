package dev.aegis.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StaticKeysTest {
  private static final Principal ALICE = new Principal("alice", List.of("dev"), List.of(), "api-key");
  private static final Principal BOB = new Principal("bob", List.of(), List.of(), "api-key");

  @Test
  void hashIsSha256HexOfTheUtf8Bytes() {
    // SHA-256("abc") from FIPS 180-2, appendix B.1
    assertThat(StaticKeys.hash("abc"))
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void generatedKeysHaveThePrefixAnd256RandomBitsInBase64url() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String key = StaticKeys.generate();
      assertThat(key).matches("aegis_[A-Za-z0-9_-]{43}");
      seen.add(key);
    }
    assertThat(seen).hasSize(100);
  }

  @Test
  void theRightKeyAuthenticatesItsPrincipal() {
    String aliceKey = StaticKeys.generate();
    String bobKey = StaticKeys.generate();
    StaticKeys keys = new StaticKeys(Map.of(StaticKeys.hash(aliceKey), ALICE, StaticKeys.hash(bobKey), BOB));

    assertThat(keys.authenticate(aliceKey)).contains(ALICE);
    assertThat(keys.authenticate(bobKey)).contains(BOB);
  }

  @Test
  void wrongEmptyNullAndOversizeKeysAreRefused() {
    String key = StaticKeys.generate();
    StaticKeys keys = new StaticKeys(Map.of(StaticKeys.hash(key), ALICE));

    assertThat(keys.authenticate(key + "x")).isEmpty();
    assertThat(keys.authenticate(key.substring(0, key.length() - 1))).isEmpty();
    assertThat(keys.authenticate("")).isEmpty();
    assertThat(keys.authenticate(null)).isEmpty();
    // the hash itself is not a key: someone who reads the config cannot log in with it
    assertThat(keys.authenticate(StaticKeys.hash(key))).isEmpty();
    String big = "a".repeat(StaticKeys.MAX_KEY_LENGTH + 1);
    assertThat(new StaticKeys(Map.of(StaticKeys.hash(big), ALICE)).authenticate(big)).isEmpty();
  }

  @Test
  void uppercaseHexInTheConfigStillMatches() {
    String key = StaticKeys.generate();
    String upper = "sha256:" + StaticKeys.hash(key).substring(7).toUpperCase();
    assertThat(new StaticKeys(Map.of(upper, ALICE)).authenticate(key)).contains(ALICE);
  }

  @Test
  void aPlaintextKeyInTheConfigIsRejectedWithoutEchoingIt() {
    String key = StaticKeys.generate();
    assertThatThrownBy(() -> new StaticKeys(Map.of(key, ALICE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key for alice")
        .hasMessageNotContaining(key);
    String notHex = "sha256:" + "g".repeat(64);
    assertThatThrownBy(() -> new StaticKeys(Map.of(notHex, ALICE)))
        .hasMessage("key for alice: hash has a non-hex digit");
  }

  @Test
  void sameHashTwiceAndNonApiKeyPrincipalsAreConfigErrors() {
    String hash = StaticKeys.hash(StaticKeys.generate());
    String upper = "sha256:" + hash.substring(7).toUpperCase();
    assertThatThrownBy(() -> new StaticKeys(Map.of(hash, ALICE, upper, BOB)))
        .hasMessageContaining("have the same hash");
    Principal oauth = new Principal("carol", List.of(), List.of(), "oauth");
    assertThatThrownBy(() -> new StaticKeys(Map.of(hash, oauth)))
        .hasMessage("key for carol: principal method must be api-key, was oauth");
  }
}
