package dev.aegis.memory;

import java.util.List;

/**
 * Who is reading or writing memory, and what their context holds: the principal and its groups, the session, how it
 * reached memory, and the untrusted content that has entered that session (from the gateway's trust propagation).
 *
 * @param via "gateway", "stdio", "http" or "cli"
 * @param untrustedFrom where untrusted content in this session came from ("web/fetch, mail/read"), "" if none
 * @param privateFrom where private data in this session came from, "" if none
 * @param signedRequest for an agent that holds its own key: the request it signed and its signature
 *     ({@code {keyId, principal, tool, arguments, time, signature}}), recorded in what it writes; else null
 */
public record Actor(String principal, List<String> groups, String session, String via, String untrustedFrom,
    String privateFrom, tools.jackson.databind.node.ObjectNode signedRequest) {

  public Actor(String principal, List<String> groups, String session, String via, String untrustedFrom,
      String privateFrom) {
    this(principal, groups, session, via, untrustedFrom, privateFrom, null);
  }

  public Actor {
    if (principal == null || principal.isEmpty()) {
      throw new IllegalArgumentException("an actor needs a principal");
    }
    groups = List.copyOf(groups == null ? List.of() : groups);
    untrustedFrom = untrustedFrom == null ? "" : untrustedFrom;
    privateFrom = privateFrom == null ? "" : privateFrom;
  }

  /** An actor with a clean context. */
  public static Actor of(String principal, List<String> groups, String session, String via) {
    return new Actor(principal, groups, session, via, "", "");
  }

  /** This actor for one request its agent signed with its own key. */
  public Actor signed(tools.jackson.databind.node.ObjectNode request) {
    return new Actor(principal, groups, session, via, untrustedFrom, privateFrom, request);
  }

  /** The scope only this principal has rights on by default. */
  public String ownScope() {
    return "agent:" + principal;
  }
}
