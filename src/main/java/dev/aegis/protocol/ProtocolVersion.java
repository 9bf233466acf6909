package dev.aegis.protocol;

import java.util.List;

/**
 * The MCP protocol revisions Aegis speaks, oldest first.
 *
 * <pre>{@code ProtocolVersion.negotiate("2025-06-18") // V2025_06_18 }</pre>
 */
public enum ProtocolVersion {
  V2024_11_05("2024-11-05"),
  V2025_03_26("2025-03-26"),
  V2025_06_18("2025-06-18"),
  V2025_11_25("2025-11-25"),
  /** Stateless: no initialize handshake; {@code server/discover} and per-request {@code _meta}. */
  V2026_07_28("2026-07-28");

  /** The newest revision that uses the initialize handshake. */
  public static final ProtocolVersion LATEST_STATEFUL = V2025_11_25;

  private final String wire;

  ProtocolVersion(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public boolean isStateless() {
    return this == V2026_07_28;
  }

  public boolean atLeast(ProtocolVersion other) {
    return compareTo(other) >= 0;
  }

  /** The revision with this wire name, or null when unknown. */
  public static ProtocolVersion of(String wire) {
    for (ProtocolVersion v : values()) {
      if (v.wire.equals(wire)) {
        return v;
      }
    }
    return null;
  }

  /**
   * The revision to answer an {@code initialize} with: the client's when Aegis speaks it and it uses the handshake,
   * else the newest handshake revision (the client then decides whether it can go on).
   */
  public static ProtocolVersion negotiate(String requested) {
    ProtocolVersion v = of(requested);
    return v == null || v.isStateless() ? LATEST_STATEFUL : v;
  }

  public static List<String> wireNames() {
    return java.util.Arrays.stream(values()).map(ProtocolVersion::wire).toList();
  }
}
