package dev.aegis.policy;

import dev.aegis.chain.Chain;
import dev.aegis.chain.Decision;
import dev.aegis.chain.Direction;
import dev.aegis.chain.Exchange;
import dev.aegis.chain.Interceptor;
import dev.aegis.chain.Reply;
import dev.aegis.chain.SessionInfo;
import dev.aegis.chain.Target;
import dev.aegis.config.AccessConfig;
import dev.aegis.pin.Canonical;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.Response;
import dev.aegis.trust.Taint;
import dev.aegis.trust.TrustLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Contextual access control as a link of the gateway's chain, for the principal each session acts for:
 *
 * <ul>
 *   <li>Lists: a principal sees only the tools and prompts its policy may let it use ({@link Policy#mayList}).
 *   <li>Calls ({@code tools/call}, {@code prompts/get}, {@code resources/read}), in this order: arguments must match
 *       the tool's {@code inputSchema} as listed; credentials or personal data in arguments are blocked
 *       (exfiltration); flow rules: after untrusted content entered the session, a public sink or destructive tool
 *       is {@code ask} or {@code deny}, and private data may not flow to a public sink; then the policy's first
 *       matching rule: allow, deny, redact (mask the named argument pointers) or ask (a person approves this exact
 *       call, see {@link ApprovalQueue}). The strictest answer wins.
 *   <li>Results: credentials and personal data are redacted (per {@code policy.results}); the session takes on the
 *       labels of the tool that produced the result (untrusted, private).
 * </ul>
 *
 * Every decision is recorded with the rule that made it and, for flow rules, the provenance behind it.
 *
 * <pre>{@code
 * AccessGuard access = new AccessGuard(config.access().policy(), policyStore, TrustLabels.from(config.access().trust()),
 *     config.access().trust(), new ApprovalQueue(home.resolve("approvals"), Duration.ofMinutes(2)));
 * }</pre>
 */
public final class AccessGuard implements Interceptor, AutoCloseable {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> CALLS = Set.of("tools/call", "prompts/get", "resources/read");
  /** Results with more text than this are passed on without the secrets scan (and the audit says so). */
  static final long MAX_RESULT_CHARS = 256 * 1024;

  private final AccessConfig.Policy settings;
  private final PolicyStore policies;
  private final TrustLabels labels;
  private final AccessConfig.Trust trust;
  private final ApprovalQueue approvals;
  private final Taint taint = new Taint();
  /** "server\0tool" → the inputSchema it was last listed with. */
  private final Map<String, JsonNode> schemas = new ConcurrentHashMap<>();

  /**
   * @param policies the policy file, or null when none is configured (then every call the other checks pass is
   *     allowed)
   * @param approvals where {@code ask} waits for a person, or null (then {@code ask} denies)
   */
  public AccessGuard(AccessConfig.Policy settings, PolicyStore policies, TrustLabels labels, AccessConfig.Trust trust,
      ApprovalQueue approvals) {
    this.settings = settings;
    this.policies = policies;
    this.labels = labels;
    this.trust = trust;
    this.approvals = approvals;
  }

  public Taint taint() {
    return taint;
  }

  /** How to ask a session's host through MCP elicitation: (session id, params) → the host's result, or null. */
  public interface Elicitor {
    CompletableFuture<JsonNode> elicit(String session, ObjectNode params);
  }

  private volatile Elicitor elicitor;

  /**
   * Asks hosts that support MCP elicitation directly ("allow this call?") instead of the approval queue; hosts
   * without it still go through {@code aegis approve-call}.
   */
  public void elicitVia(Elicitor e) {
    this.elicitor = e;
  }

  @Override
  public String name() {
    return "access";
  }

  @Override
  public Reply intercept(Chain chain) {
    Exchange ex = chain.exchange();
    Message m = chain.message();
    if (ex.direction() != Direction.TO_SERVER || !(m instanceof Request r)) {
      return chain.proceed(m);
    }
    Target target = ex.target();
    if (target != null && target.name() == null
        && (r.method().equals("tools/list") || r.method().equals("prompts/list"))) {
      return chain.proceed(m).map(resp -> resp.isError() ? resp : listed(ex, target.server(), r.method(), resp));
    }
    if (target != null && target.name() != null && CALLS.contains(r.method())) {
      return call(chain, ex, r, target);
    }
    return chain.proceed(m);
  }

  // ------------------------------------------------------------------------------------------------ lists

  private Response listed(Exchange ex, String server, String method, Response resp) {
    String field = method.equals("tools/list") ? "tools" : "prompts";
    JsonNode items = resp.result().path(field);
    if (!items.isArray()) {
      return resp;
    }
    if (field.equals("tools")) {
      items.forEach(t -> {
        if (t.path("inputSchema").isObject()) {
          schemas.put(server + "\u0000" + t.path("name").asString(""), t.get("inputSchema"));
        }
      });
    }
    Policy policy = policies == null ? null : policies.current();
    if (policy == null) {
      return resp;
    }
    SessionInfo who = ex.session();
    ArrayNode kept = NODES.arrayNode();
    int hidden = 0;
    for (JsonNode item : items) {
      if (policy.mayList(who.principal(), who.groups(), server, item.path("name").asString(""))) {
        kept.add(item);
      } else {
        hidden++;
      }
    }
    if (hidden == 0) {
      return resp;
    }
    ex.record(new Decision(name(), "hide", hidden + " " + field + " of '" + server + "' not offered to "
        + who.principal() + " (policy)"));
    return resp.withResultMember(field, kept);
  }

  // ------------------------------------------------------------------------------------------------ calls

  private Reply call(Chain chain, Exchange ex, Request r, Target target) {
    SessionInfo who = ex.session();
    String server = target.server();
    String tool = target.name();
    String what = r.method() + " " + server + "/" + tool;
    JsonNode args = r.params() == null ? NODES.objectNode() : r.params().path("arguments");
    if (args.isMissingNode() || args.isNull()) {
      args = NODES.objectNode();
    }
    if (r.method().equals("tools/call") && settings.validateArguments()) {
      JsonNode schema = schemas.get(server + "\u0000" + tool);
      if (schema != null) {
        List<String> errors = ArgumentSchema.validate(schema, args);
        if (!errors.isEmpty()) {
          String why = "arguments do not match the inputSchema of " + server + "/" + tool + ": "
              + String.join("; ", errors.subList(0, Math.min(5, errors.size())));
          ex.record(new Decision(name(), "deny", why));
          return Reply.of(Response.error(r.id(), JsonRpcError.of(JsonRpcError.INVALID_PARAMS, why)));
        }
      }
    }
    if (settings.secrets().equals("block")) {
      List<Secrets.Hit> hits = Secrets.find(args);
      if (!hits.isEmpty()) {
        String why = what + " carries " + describe(hits) + " in its arguments: blocked as possible exfiltration";
        ex.record(new Decision(name(), "deny", why));
        return deny(r, why);
      }
    }
    // flow rules first, then the policy: the strictest wins (deny > ask > redact > allow)
    String flowAsk = null;
    Set<TrustLabels.Label> mine = labels.of(server, tool);
    String session = who.id();
    boolean sink = mine.contains(TrustLabels.Label.PUBLIC_SINK) || mine.contains(TrustLabels.Label.DESTRUCTIVE);
    if (sink && taint.has(session, TrustLabels.Label.UNTRUSTED)) {
      String why = what + " after untrusted content entered the session (from "
          + taint.provenance(session, TrustLabels.Label.UNTRUSTED) + "): trust.untrustedToSink is "
          + trust.untrustedToSink();
      if (trust.untrustedToSink().equals("deny")) {
        ex.record(new Decision(name(), "deny", why));
        return deny(r, why);
      }
      flowAsk = why;
    }
    if (mine.contains(TrustLabels.Label.PUBLIC_SINK) && taint.has(session, TrustLabels.Label.PRIVATE)) {
      String why = what + " would send data out after private data entered the session (from "
          + taint.provenance(session, TrustLabels.Label.PRIVATE) + "): trust.privateToPublic is "
          + trust.privateToPublic();
      if (trust.privateToPublic().equals("deny")) {
        ex.record(new Decision(name(), "deny", why));
        return deny(r, why);
      }
      flowAsk = flowAsk == null ? why : flowAsk;
    }
    Request forward = r;
    Verdict verdict = null;
    Policy policy = policies == null ? null : policies.current();
    if (policy != null) {
      verdict = policy.decide(new PolicyRequest(who.principal(), who.groups(), server, tool, r.method(), args,
          taint.labels(session)));
      String why = "rule " + verdict.ruleId() + ": " + verdict.reason();
      switch (verdict.effect()) {
        case DENY -> {
          ex.record(new Decision(name(), "deny", what + " for " + who.principal() + " denied by " + why));
          return deny(r, what + " is not allowed for " + who.principal() + " (" + why + ")");
        }
        case REDACT -> {
          forward = redactArguments(r, verdict.redact());
          ex.record(new Decision(name(), "redact", what + ": arguments " + verdict.redact() + " masked by " + why));
        }
        case ASK -> flowAsk = flowAsk == null ? what + " needs approval (" + why + ")" : flowAsk;
        default -> ex.record(new Decision(name(), "allow", what + " for " + who.principal() + " by " + why));
      }
    }
    if (flowAsk != null) {
      return ask(chain, ex, forward, who, server, tool, args, flowAsk);
    }
    return proceed(chain, ex, forward, server, tool);
  }

  private Reply proceed(Chain chain, Exchange ex, Request r, String server, String tool) {
    return chain.proceed(r).map(resp -> resp.isError() ? resp : result(ex, server, tool, resp));
  }

  private Reply ask(Chain chain, Exchange ex, Request r, SessionInfo who, String server, String tool, JsonNode args,
      String why) {
    if (approvals == null && elicitor == null) {
      ex.record(new Decision(name(), "deny", why + "; no approval queue is configured"));
      return deny(r, why + "; nobody can approve it here");
    }
    ObjectNode digest = NODES.objectNode();
    digest.put("principal", who.principal());
    digest.put("server", server);
    digest.put("tool", tool);
    digest.set("arguments", args);
    digest.put("policy", policies == null ? "" : policies.version());
    String sum = Canonical.sha256(digest);
    ObjectNode details = NODES.objectNode();
    details.put("principal", who.principal());
    details.put("session", who.id());
    details.put("server", server);
    details.put("tool", tool);
    details.set("arguments", Secrets.redact(args, Secrets.find(args)));
    details.put("reason", why);
    CompletableFuture<Response> done = new CompletableFuture<>();
    Elicitor asker = elicitor;
    CompletableFuture<JsonNode> host = asker == null ? null
        : asker.elicit(who.id(), question(who, server, tool, details, why));
    if (host != null) {
      // in band: the host's answer belongs to this very request, so it cannot be replayed for another call
      ex.record(new Decision(name(), "ask", why + "; asking the user through MCP elicitation"));
      host.whenComplete((result, failure) -> {
        boolean yes = failure == null && result != null && result.path("action").asString("").equals("accept")
            && result.path("content").path("decision").asString("").equals("allow");
        String because = failure != null ? failure.toString() : result == null ? "the host could not ask"
            : "the user answered " + result.path("action").asString("?")
                + (result.path("content").path("decision").isString()
                ? " / " + result.path("content").path("decision").asString() : "");
        settle(chain, ex, r, server, tool, yes, why, because, done);
      });
      return Reply.later(done);
    }
    if (approvals == null) {
      ex.record(new Decision(name(), "deny", why + "; the host cannot be asked and there is no approval queue"));
      return deny(r, why + "; nobody can approve it here");
    }
    ex.record(new Decision(name(), "ask", why + "; waiting for `aegis approve-call` (digest " + sum + ")"));
    approvals.ask(sum, details).whenComplete((answer, failure) -> settle(chain, ex, r, server, tool,
        failure == null && answer.approved(), why, failure != null ? failure.toString() : answer.why(), done));
    return Reply.later(done);
  }

  /** A person answered: the call goes on, or it is refused with why and the answer. */
  private void settle(Chain chain, Exchange ex, Request r, String server, String tool, boolean approved, String why,
      String because, CompletableFuture<Response> done) {
    if (!approved) {
      done.complete(Response.error(r.id(), JsonRpcError.of(JsonRpcError.BLOCKED,
          "Blocked by Aegis: " + why + "; not approved (" + because + ")")));
      return;
    }
    try {
      proceed(chain, ex, r, server, tool).whenReady(done::complete);
    } catch (RuntimeException e) {
      done.complete(Response.error(r.id(), JsonRpcError.of(JsonRpcError.INTERNAL_ERROR, e.getMessage())));
    }
  }

  /** The elicitation form: what is asked, why, and a single choice. */
  private static ObjectNode question(SessionInfo who, String server, String tool, ObjectNode details, String why) {
    ObjectNode params = NODES.objectNode();
    String args = details.path("arguments").toString();
    params.put("message", "Aegis: allow " + who.principal() + " to call " + server + "/" + tool + " with "
        + (args.length() > 400 ? args.substring(0, 400) + "..." : args) + "? Why you are asked: " + why);
    ObjectNode schema = params.putObject("requestedSchema");
    schema.put("type", "object");
    ObjectNode decision = schema.putObject("properties").putObject("decision");
    decision.put("type", "string");
    decision.put("title", "Allow this one call?");
    decision.putArray("enum").add("allow").add("deny");
    schema.putArray("required").add("decision");
    return params;
  }

  // ------------------------------------------------------------------------------------------------ results

  private Response result(Exchange ex, String server, String tool, Response resp) {
    String session = ex.session().id();
    for (TrustLabels.Label l : labels.of(server, tool)) {
      if (l == TrustLabels.Label.UNTRUSTED || l == TrustLabels.Label.PRIVATE) {
        taint.saw(session, l, server + "/" + tool);
      }
    }
    if (!settings.results().equals("redact")) {
      return resp;
    }
    long size = Message.textLength(resp.result(), MAX_RESULT_CHARS + 1);
    if (size > MAX_RESULT_CHARS) {
      // redaction is a courtesy to the user's own data; the cost of a huge result must not become a stall
      ex.record(new Decision(name(), "note", server + "/" + tool + " returned over " + MAX_RESULT_CHARS
          + " characters of text: not scanned for secrets"));
      return resp;
    }
    List<Secrets.Hit> hits = Secrets.find(resp.result());
    if (hits.isEmpty()) {
      return resp;
    }
    ex.record(new Decision(name(), "redact", server + "/" + tool + " returned " + describe(hits) + ": masked"));
    return resp.withResult((ObjectNode) Secrets.redact(resp.result(), hits));
  }

  /** Kinds and pointers, never the values: the audit log must not become the leak. */
  private static String describe(List<Secrets.Hit> hits) {
    List<String> parts = new ArrayList<>();
    for (Secrets.Hit h : hits) {
      if (parts.size() == 5) {
        parts.add("and " + (hits.size() - 5) + " more");
        break;
      }
      parts.add(h.kind() + " at " + (h.pointer().isEmpty() ? "/" : h.pointer()));
    }
    return String.join(", ", parts);
  }

  private static Request redactArguments(Request r, List<String> pointers) {
    if (r.params() == null || !r.params().path("arguments").isObject()) {
      return r;
    }
    ObjectNode params = r.params().deepCopy();
    ObjectNode args = (ObjectNode) params.get("arguments");
    for (String p : pointers) {
      int slash = p.lastIndexOf('/');
      if (slash < 0) {
        continue;
      }
      JsonNode parent = slash == 0 ? args : args.at(p.substring(0, slash));
      String key = p.substring(slash + 1).replace("~1", "/").replace("~0", "~");
      if (parent instanceof ObjectNode o && o.has(key)) {
        o.put(key, "[REDACTED]");
      }
    }
    return r.withParams(params);
  }

  private static Reply deny(Request r, String why) {
    ObjectNode data = NODES.objectNode();
    data.put("reason", "access");
    return Reply.of(Response.error(r.id(), new JsonRpcError(JsonRpcError.BLOCKED, "Blocked by Aegis: " + why, data)));
  }

  @Override
  public void close() {
    if (approvals != null) {
      approvals.close();
    }
    if (policies != null) {
      policies.close();
    }
  }
}
