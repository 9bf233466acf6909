package dev.aegis.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ProtectedResource}: RFC 9728 metadata and the Bearer challenge. */
class IdentityProtectedResourceTest {
  @Test
  void aResourceAtTheRootHasTheMetadataAtTheRootWellKnownPath() {
    ProtectedResource pr = new ProtectedResource("https://MCP.example.com:8443/", List.of("https://auth.example.com"),
        List.of());
    assertThat(pr.resource()).isEqualTo("https://mcp.example.com:8443");
    assertThat(pr.metadataPath()).isEqualTo("/.well-known/oauth-protected-resource");
    assertThat(pr.metadataUrl()).isEqualTo("https://mcp.example.com:8443/.well-known/oauth-protected-resource");
    // no scopes: the parameter is left out rather than sent empty (RFC 9728 §2)
    assertThat(pr.json()).isEqualTo("{\"resource\":\"https://mcp.example.com:8443\","
        + "\"authorization_servers\":[\"https://auth.example.com\"],\"bearer_methods_supported\":[\"header\"]}");
  }

  @Test
  void metadataNeedsAnAuthorizationServerAndAnAbsoluteHttpResource() {
    assertThatThrownBy(() -> new ProtectedResource("https://mcp.example.com", List.of(), List.of()))
        .hasMessageContaining("at least one authorization server");
    for (String bad : new String[] {"mcp.example.com", "ftp://mcp.example.com", "https://mcp.example.com/?a=1",
        "https://user@mcp.example.com", "https://mcp.example.com/#f", "::"}) {
      assertThatThrownBy(() -> new ProtectedResource(bad, List.of("https://a"), List.of())).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void theChallengeListsOnlyTheGivenParametersInOrder() {
    assertThat(ProtectedResource.wwwAuthenticate(null, null, null, null)).isEqualTo("Bearer");
    assertThat(ProtectedResource.wwwAuthenticate("https://x/m", "invalid_token", "expired", "a b"))
        .isEqualTo("Bearer resource_metadata=\"https://x/m\", error=\"invalid_token\", "
            + "error_description=\"expired\", scope=\"a b\"");
    assertThat(ProtectedResource.wwwAuthenticate(null, "invalid_token", null, null))
        .isEqualTo("Bearer error=\"invalid_token\"");
  }

  @Test
  void valuesAreEscapedAndCannotSplitTheHeader() {
    String v = ProtectedResource.wwwAuthenticate(null, null, "say \"hi\" \\ now\r\nSet-Cookie: x=1 é", null);
    assertThat(v).isEqualTo("Bearer error_description=\"say \\\"hi\\\" \\\\ now??Set-Cookie: x=1 ?\"");
    assertThat(v).doesNotContain("\r").doesNotContain("\n");
  }

  @Test
  void longDescriptionsAreCut() {
    String v = ProtectedResource.wwwAuthenticate(null, null, "d".repeat(1000), null);
    assertThat(v).isEqualTo("Bearer error_description=\"" + "d".repeat(ProtectedResource.MAX_DESCRIPTION) + "\"");
  }
}
