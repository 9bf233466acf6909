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

  /** The cheap condition checked before each rule's automaton never skips a text the automaton would match. */
  @Test
  void preChecksNeverSkipAMatch() {
    String[] parts = {"eyJ", "hbGciOi", ".", "AKIA", "IOSFODNN7EXAMPLE", "ghp_", "github_pat_", "sk-", "BeArEr",
        " ", "password", "Token", "API-key", "=", ":", "\"", "abcdefghij0123456789", "x", "_"};
    java.util.Random random = new java.util.Random(3);
    int matched = 0;
    for (int i = 0; i < 40_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = random.nextInt(10);
      for (int k = 0; k < n; k++) {
        sb.append(parts[random.nextInt(parts.length)]);
      }
      String text = sb.toString();
      for (SecretMask.Rule rule : SecretMask.RULES) {
        if (rule.pattern().matcher(text).find()) {
          matched++;
          assertThat(rule.may().test(text)).as(rule.kind() + " on \"" + text + "\"").isTrue();
        }
      }
      if (SecretMask.TOKEN.matcher(text).find()) {
        assertThat(text.length()).isGreaterThanOrEqualTo(32);
      }
    }
    assertThat(matched).isGreaterThan(2_000);
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
