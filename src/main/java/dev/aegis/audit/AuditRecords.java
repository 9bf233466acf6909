package dev.aegis.audit;

import dev.aegis.chain.Decision;
import dev.aegis.chain.Exchange;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The body of an exchange record: the fields the exchange log always had, masked, never a payload. */
final class AuditRecords {
  static final int MAX_TEXT = 300;

  private AuditRecords() {}

  static ObjectNode exchange(Exchange exchange, Response reply, long endNanos, long epochMillis) {
    List<String> masked = new ArrayList<>();
    ObjectNode r = JsonNodeFactory.instance.objectNode();
    r.put("type", "exchange");
    r.put("ts", Instant.ofEpochMilli(epochMillis).toString());
    r.put("session", exchange.session().id());
    r.put("transport", exchange.session().transport());
    r.put("principal", text(exchange.session().principal(), "/principal", masked));
    r.put("direction", exchange.direction().name());
    r.put("method", text(exchange.method(), "/method", masked));
    if (exchange.target() != null) {
      r.put("server", exchange.target().server());
      if (exchange.target().name() != null) {
        r.put("name", text(exchange.target().name(), "/name", masked));
      }
    }
    if (reply == null) {
      r.put("outcome", "notification");
    } else if (reply.isError()) {
      JsonRpcError err = reply.error();
      r.put("outcome", "error");
      r.put("errorCode", err.code());
      r.put("error", text(err.message(), "/error", masked));
    } else {
      r.put("outcome", "ok");
    }
    r.put("micros", (endNanos - exchange.startNanos()) / 1000);
    List<Decision> decisions = exchange.decisions();
    if (!decisions.isEmpty()) {
      ArrayNode d = r.putArray("decisions");
      for (int i = 0; i < decisions.size(); i++) {
        Decision decision = decisions.get(i);
        ObjectNode o = d.addObject();
        o.put("by", decision.by());
        o.put("effect", decision.effect());
        o.put("reason", text(decision.reason(), "/decisions/" + i + "/reason", masked));
      }
    }
    if (!masked.isEmpty()) {
      ArrayNode m = r.putArray("masked");
      masked.forEach(m::add);
    }
    return r;
  }

  /** Masked first (on up to {@link SecretMask#MAX_INPUT} characters, so a cut never splits a secret), then cut. */
  private static String text(String value, String pointer, List<String> masked) {
    String out = SecretMask.mask(value, pointer, masked);
    return out != null && out.length() > MAX_TEXT ? out.substring(0, MAX_TEXT) : out;
  }
}
