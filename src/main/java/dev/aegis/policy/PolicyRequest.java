package dev.aegis.policy;

import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * One call as a {@link Policy} sees it. A top-level record (not nested in {@code Policy}) because the gateway builds
 * one per call and the CLI's test cases build them too; it is the only input {@link Policy#decide} reads.
 *
 * <pre>{@code
 * PolicyRequest r = new PolicyRequest("alice", List.of("readers"), "github", "get_issue", "tools/call",
 *     arguments, session.labels());
 * Verdict v = policy.decide(r);
 * }</pre>
 *
 * @param principal the authenticated caller's name
 * @param groups the caller's groups, matched by {@code group:NAME} in a rule's principals
 * @param server the upstream server's name as configured
 * @param tool the tool (or prompt, or resource) name as the server knows it, without the gateway's prefix
 * @param method the JSON-RPC method, e.g. {@code tools/call}
 * @param args the call's arguments (an object); {@code null} stands for none
 * @param labels the session's labels (e.g. {@code untrusted} after reading web content)
 */
public record PolicyRequest(String principal, List<String> groups, String server, String tool, String method,
    JsonNode args, List<String> labels) {
  public PolicyRequest {
    if (principal == null || server == null || tool == null) {
      throw new IllegalArgumentException("a policy request needs a principal, a server and a tool");
    }
    groups = groups == null ? List.of() : List.copyOf(groups);
    labels = labels == null ? List.of() : List.copyOf(labels);
    method = method == null ? "tools/call" : method;
    args = args == null || args.isNull() || args.isMissingNode() ? JsonNodeFactory.instance.objectNode() : args;
  }
}
