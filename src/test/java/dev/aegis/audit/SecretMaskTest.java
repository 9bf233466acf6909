package dev.aegis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretMaskTest {
  private final List<String> masked = new ArrayList<>();

  private String mask(String text) {
    return SecretMask.mask(text, "/error", masked);
  }

  @Test
  void masksCommonKeyShapes() {
    assertThat(mask("key AKIAIOSFODNN7EXAMPLE here")).isEqualTo("key [masked:aws-key] here");
    assertThat(mask("token ghp_abcdefghijklmnopqrstuvwxyz0123456789 used"))
        .isEqualTo("token [masked:github-token] used");
    assertThat(mask("OPENAI sk-proj-abcdefghijklmnop1234")).isEqualTo("OPENAI [masked:api-key]");
    assertThat(mask("Authorization: Bearer abc.def-ghi_jkl")).isEqualTo("Authorization: Bearer [masked:bearer]");
    assertThat(mask("login failed: password=hunter22!")).isEqualTo("login failed: password=[masked:credential]");
    assertThat(mask("sig Zx9Qm3Lp7Rt2Vw8Ky4Bn6Hd1Fs5Gj0Ac")).isEqualTo("sig [masked:high-entropy]");
    assertThat(masked).hasSize(6).containsOnly("/error");
  }

  @Test
  void leavesOrdinaryTextAlone() {
    String text = "file /home/user/projects/aegis/src/main/java/dev/aegis/audit/AuditLog.java not found (-32602)";
    assertThat(mask(text)).isEqualTo(text);
    assertThat(mask("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1")).startsWith("aaaa");
    assertThat(mask(null)).isNull();
    assertThat(masked).isEmpty();
  }

  @Test
  void boundsItsInput() {
    String huge = "x".repeat(1_000_000) + " AKIAIOSFODNN7EXAMPLE";
    assertThat(mask(huge)).hasSize(SecretMask.MAX_INPUT).doesNotContain("AKIA");
  }
}
