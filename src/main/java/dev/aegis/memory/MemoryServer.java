package dev.aegis.memory;

import dev.aegis.chain.SessionInfo;
import dev.aegis.gateway.Gateway;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.McpMethod;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.ProtocolVersion;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.Response;
import dev.aegis.transport.Caller;
import dev.aegis.transport.ClientPort;
import dev.aegis.transport.ServerSession;
import dev.aegis.transport.SessionFactory;
import dev.aegis.trust.Taint;
import dev.aegis.trust.TrustLabels;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The shared-memory MCP server: {@link MemoryTools} behind MCP sessions. Serves stdio and Streamable HTTP sessions
 * ({@code aegis memory serve}) as a {@link SessionFactory}, and gateway sessions as a built-in upstream
 * ({@link #builtin}), where it also learns what untrusted content the session has seen (the trust of what it writes)
 * and marks the session untrusted when it reads untrusted items.
 *
 * <pre>{@code
 * MemoryServer server = new MemoryServer(memory, Caller.LOCAL);
 * new StdioServer(System.in, System.out, codec, server, log::warn).run();
 * gateway.builtin("memory", server.builtin(accessGuard.taint()));
 * }</pre>
 */
public final class MemoryServer implements SessionFactory {
  public static final String NAME = "aegis-memory";
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final MemoryTools tools;
  private final Caller stdioCaller;
  private final SecureRandom random = new SecureRandom();

  /** @param stdioCaller who stdio sessions (and sessions opened without a caller) act for */
  public MemoryServer(Memory memory, Caller stdioCaller) {
    this.tools = new MemoryTools(memory);
    this.stdioCaller = stdioCaller;
  }

  @Override
  public ServerSession open(String transport, ClientPort port) {
    return open(transport, port, stdioCaller);
  }

  @Override
  public ServerSession open(String transport, ClientPort port, Caller caller) {
    String id = newId();
    Actor actor = Actor.of(caller.name(), caller.groups(), id, transport);
    return new Session(id, port, () -> actor, source -> {});
  }

  @Override
  public ServerSession stateless(ClientPort port) {
    return new Session(newId(), port, null, source -> {});
  }

  /** The gateway's built-in {@code memory} server: each gateway session acts for its principal, with its taint. */
  public Gateway.Builtin builtin(Taint taint) {
    return (SessionInfo info, ClientPort port) -> new Session(info.id(), port,
        () -> new Actor(info.principal(), info.groups(), info.id(), "gateway",
            taint.provenance(info.id(), TrustLabels.Label.UNTRUSTED),
            taint.provenance(info.id(), TrustLabels.Label.PRIVATE)),
        source -> taint.saw(info.id(), TrustLabels.Label.UNTRUSTED, source));
  }

  private String newId() {
    byte[] b = new byte[12];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** One MCP session; {@code actor} null for a sessionless request, which may only list. */
  private final class Session implements ServerSession {
    private final String id;
    private final ClientPort port;
    private final Supplier<Actor> actor;
    private final Consumer<String> sawUntrusted;

    Session(String id, ClientPort port, Supplier<Actor> actor, Consumer<String> sawUntrusted) {
      this.id = id;
      this.port = port;
      this.actor = actor;
      this.sawUntrusted = sawUntrusted;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public void receive(Message message) {
      if (!(message instanceof Request r)) {
        return; // notifications (initialized, cancelled) and responses need nothing from us
      }
      Response reply;
      try {
        reply = handle(r);
      } catch (RuntimeException e) {
        reply = Response.error(r.id(), JsonRpcError.of(JsonRpcError.INTERNAL_ERROR,
            "memory server error: " + e.getClass().getSimpleName()));
      }
      port.send(reply, r.id());
    }

    private Response handle(Request r) {
      McpMethod m = r.knownMethod();
      if (m == null) {
        return Response.error(r.id(), JsonRpcError.of(JsonRpcError.METHOD_NOT_FOUND,
            "Method not found: " + r.method()));
      }
      switch (m) {
        case INITIALIZE -> {
          String requested = r.params() == null ? null : Message.textOrNull(r.params(), "protocolVersion");
          ObjectNode result = JSON.objectNode();
          result.put("protocolVersion", ProtocolVersion.negotiate(requested).wire());
          result.putObject("capabilities").putObject("tools").put("listChanged", false);
          result.putObject("serverInfo").put("name", NAME).put("version", Gateway.VERSION);
          result.put("instructions", "Shared memory: a knowledge graph (as server-memory) and key/value items."
              + " Every item carries who wrote it and whether it came from a trusted context.");
          return Response.result(r.id(), result);
        }
        case PING -> {
          return Response.result(r.id(), JSON.objectNode());
        }
        case TOOLS_LIST -> {
          ObjectNode result = JSON.objectNode();
          result.set("tools", MemoryTools.definitions());
          return Response.result(r.id(), result);
        }
        case TOOLS_CALL -> {
          ObjectNode p = r.params();
          String name = p == null ? null : Message.textOrNull(p, "name");
          if (name == null || !MemoryTools.has(name)) {
            return Response.error(r.id(), JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "Unknown tool: " + name));
          }
          if (actor == null) {
            return Response.error(r.id(), JsonRpcError.of(JsonRpcError.INVALID_REQUEST,
                "memory needs a session (initialize first): every item records who wrote it"));
          }
          ObjectNode result = tools.call(actor.get(), name, p.get("arguments"), p.get("_meta"));
          if (carriesUntrusted(result.get("structuredContent"))) {
            sawUntrusted.accept("memory/" + name);
          }
          return Response.result(r.id(), result);
        }
        default -> {
          return Response.error(r.id(), JsonRpcError.of(JsonRpcError.METHOD_NOT_FOUND,
              "Method not found: " + r.method()));
        }
      }
    }

    @Override
    public void close() {
      // nothing held per session
    }
  }

  /** Whether a result serves anything written from an untrusted context. */
  static boolean carriesUntrusted(JsonNode node) {
    if (node == null) {
      return false;
    }
    if (node.isObject()) {
      JsonNode t = node.get("trust");
      if (t != null && Memory.UNTRUSTED.equals(t.asString(""))) {
        return true;
      }
      for (JsonNode v : node) {
        if (carriesUntrusted(v)) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode v : node) {
        if (carriesUntrusted(v)) {
          return true;
        }
      }
    }
    return false;
  }
}
