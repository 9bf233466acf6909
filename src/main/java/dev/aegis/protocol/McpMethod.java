package dev.aegis.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * The methods MCP defines, by wire name. Methods not listed here are still forwarded; {@link #of} returns null for
 * them.
 */
public enum McpMethod {
  INITIALIZE("initialize"),
  INITIALIZED("notifications/initialized"),
  PING("ping"),
  SERVER_DISCOVER("server/discover"),
  TOOLS_LIST("tools/list"),
  TOOLS_CALL("tools/call"),
  PROMPTS_LIST("prompts/list"),
  PROMPTS_GET("prompts/get"),
  RESOURCES_LIST("resources/list"),
  RESOURCES_TEMPLATES_LIST("resources/templates/list"),
  RESOURCES_READ("resources/read"),
  RESOURCES_SUBSCRIBE("resources/subscribe"),
  RESOURCES_UNSUBSCRIBE("resources/unsubscribe"),
  COMPLETION_COMPLETE("completion/complete"),
  LOGGING_SET_LEVEL("logging/setLevel"),
  SAMPLING_CREATE_MESSAGE("sampling/createMessage"),
  ELICITATION_CREATE("elicitation/create"),
  ROOTS_LIST("roots/list"),
  CANCELLED("notifications/cancelled"),
  PROGRESS("notifications/progress"),
  MESSAGE("notifications/message"),
  TOOLS_LIST_CHANGED("notifications/tools/list_changed"),
  PROMPTS_LIST_CHANGED("notifications/prompts/list_changed"),
  RESOURCES_LIST_CHANGED("notifications/resources/list_changed"),
  RESOURCES_UPDATED("notifications/resources/updated"),
  ROOTS_LIST_CHANGED("notifications/roots/list_changed"),
  ELICITATION_COMPLETE("notifications/elicitation/complete");

  private static final Map<String, McpMethod> BY_WIRE = new HashMap<>();

  static {
    for (McpMethod m : values()) {
      BY_WIRE.put(m.wire, m);
    }
  }

  private final String wire;

  McpMethod(String wire) {
    this.wire = wire;
  }

  /** The method name as it travels. */
  public String wire() {
    return wire;
  }

  /** The method with this wire name, or null when MCP does not define it. */
  public static McpMethod of(String wire) {
    return wire == null ? null : BY_WIRE.get(wire);
  }
}
