package dev.aegis.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The {@code identity:}, {@code policy:} and {@code trust:} sections: who may connect, what each principal may do,
 * and which tools bring untrusted or private content in and which send it out.
 *
 * <pre>{@code
 * identity:
 *   stdio: alice                       # who stdio sessions act for (default: local)
 *   anonymous: false                   # allow HTTP callers without credentials, as "anonymous"
 *   keys:
 *     - {hash: "sha256:...", principal: ci-bot, groups: [bots]}    # aegis keys new prints a key and its hash
 *   oauth: {issuer: https://auth.example.com, jwks: https://auth.example.com/jwks.json,
 *           resource: https://gw.example.com/mcp, scopes: [mcp]}
 * policy:
 *   file: policy.yaml                  # once a policy exists, whatever it does not allow is denied
 *   secrets: block                     # block | allow: credentials and personal data in arguments
 *   results: redact                    # off | redact: credentials and personal data in results
 *   validateArguments: true            # arguments must match the tool's (pinned) inputSchema
 * trust:
 *   untrusted: [web, "mail/read_*"]    # results from these are untrusted content
 *   private: ["fs/read_*"]             # results from these are private data
 *   publicSinks: ["mail/send_*"]       # these send data out
 *   destructive: ["fs/delete_*"]
 *   untrustedToSink: ask               # ask | deny: a sink or destructive call after untrusted content
 *   privateToPublic: deny              # ask | deny: a public sink after private data
 * }</pre>
 */
public record AccessConfig(Identity identity, Policy policy, Trust trust) {
  public static final AccessConfig DEFAULT = new AccessConfig(Identity.DEFAULT, Policy.DEFAULT, Trust.DEFAULT);

  /** An API key, stored as its hash, and the principal it stands for. */
  public record Key(String hash, String principal, List<String> groups) {
    public Key {
      groups = List.copyOf(groups);
    }
  }

  /** OAuth 2.1 resource-server settings; null in {@link Identity} when OAuth is not used. */
  public record OAuth(String issuer, String jwks, String resource, List<String> scopes, String groupsClaim,
      List<String> authorizationServers) {
    public OAuth {
      scopes = List.copyOf(scopes);
      authorizationServers = List.copyOf(authorizationServers);
    }
  }

  public record Identity(String stdio, List<String> stdioGroups, boolean anonymous, List<Key> keys, OAuth oauth) {
    public static final Identity DEFAULT = new Identity("local", List.of(), false, List.of(), null);

    public Identity {
      stdioGroups = List.copyOf(stdioGroups);
      keys = List.copyOf(keys);
    }

    /** Whether HTTP callers must authenticate: some keys or OAuth are configured. */
    public boolean authenticates() {
      return !keys.isEmpty() || oauth != null;
    }
  }

  public record Policy(Path file, String secrets, String results, boolean validateArguments) {
    public static final Policy DEFAULT = new Policy(null, "block", "redact", true);
  }

  public record Trust(List<String> untrusted, List<String> privateSources, List<String> publicSinks,
      List<String> destructive, String untrustedToSink, String privateToPublic) {
    public static final Trust DEFAULT = new Trust(List.of(), List.of(), List.of(), List.of(), "ask", "deny");

    public Trust {
      untrusted = List.copyOf(untrusted);
      privateSources = List.copyOf(privateSources);
      publicSinks = List.copyOf(publicSinks);
      destructive = List.copyOf(destructive);
    }

    public boolean labelsAnything() {
      return !untrusted.isEmpty() || !privateSources.isEmpty() || !publicSinks.isEmpty() || !destructive.isEmpty();
    }
  }
}
