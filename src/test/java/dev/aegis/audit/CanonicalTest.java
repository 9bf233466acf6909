package dev.aegis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class CanonicalTest {
  @Test
  void sortsMembersAtEveryDepthByUtf16CodeUnits() {
    ObjectNode n = (ObjectNode) Canonical.mapper().readTree(
        "{\"z\":1,\"a\":{\"y\":[{\"b\":true,\"a\":\"x\"}],\"\u00e9\":2,\"B\":3},\"\ud83d\ude00\":4,\"\uff21\":5}");
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FF21 by code units (after it by code points).
    assertThat(new String(Canonical.bytes(n), StandardCharsets.UTF_8)).isEqualTo(
        "{\"a\":{\"B\":3,\"y\":[{\"a\":\"x\",\"b\":true}],\"\u00e9\":2},\"z\":1,\"\ud83d\ude00\":4,\"\uff21\":5}");
  }

  @Test
  void theHashIgnoresTheHashMemberAndHowTheLineIsSpelled() {
    ObjectNode a = (ObjectNode) Canonical.mapper().readTree("{\"seq\":1,\"type\":\"x\",\"hash\":\"h\"}");
    ObjectNode b = (ObjectNode) Canonical.mapper().readTree("{\"type\":\"x\",\"seq\":1}");
    assertThat(Canonical.hashOf(a)).isEqualTo(Canonical.hashOf(b)).isEqualTo(Canonical.sha256(Canonical.bytes(b)));
  }
}
