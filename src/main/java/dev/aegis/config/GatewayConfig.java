package dev.aegis.config;

import java.time.Duration;
import java.util.List;

/**
 * Everything the gateway needs to run, validated.
 *
 * <pre>{@code GatewayConfig config = ConfigLoader.load(Path.of("aegis.yaml")); }</pre>
 *
 * @param servers upstream servers in configuration order (earlier servers win name clashes of unprefixed names)
 * @param maxMessageBytes largest message accepted in either direction
 * @param requestTimeout how long a request may wait for an upstream's answer
 * @param startupTimeout how long an upstream may take to start and answer {@code initialize}
 * @param maxRestartBackoff longest wait between restarts of a failing upstream
 * @param allowedOrigins extra {@code Origin} values the HTTP endpoint accepts besides loopback ones
 * @param pageSize items per page in aggregated lists; 0 for one page with everything
 * @param maxSessions most host sessions open at once (each runs its own connection to every server)
 * @param scan how definitions and outputs are scanned
 * @param pin how definitions are held to a lockfile
 * @param access identities, policy and trust labels
 * @param memory the shared-memory server's settings
 * @param sandbox which stdio servers run sandboxed, under which profiles
 */
public record GatewayConfig(List<ServerConfig> servers, int maxMessageBytes, Duration requestTimeout,
    Duration startupTimeout, Duration maxRestartBackoff, List<String> allowedOrigins, int pageSize,
    int maxSessions, ScanConfig scan, PinConfig pin, AccessConfig access, MemoryConfig memory,
    SandboxConfig sandbox, dev.aegis.sandbox.snapshot.SnapshotConfig snapshots) {

  public static final int DEFAULT_MAX_SESSIONS = 64;

  public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  public GatewayConfig(List<ServerConfig> servers, int maxMessageBytes, Duration requestTimeout,
      Duration startupTimeout, Duration maxRestartBackoff, List<String> allowedOrigins, int pageSize, int maxSessions) {
    this(servers, maxMessageBytes, requestTimeout, startupTimeout, maxRestartBackoff, allowedOrigins, pageSize,
        maxSessions, ScanConfig.DEFAULT);
  }

  public GatewayConfig(List<ServerConfig> servers, int maxMessageBytes, Duration requestTimeout,
      Duration startupTimeout, Duration maxRestartBackoff, List<String> allowedOrigins, int pageSize, int maxSessions,
      ScanConfig scan) {
    this(servers, maxMessageBytes, requestTimeout, startupTimeout, maxRestartBackoff, allowedOrigins, pageSize,
        maxSessions, scan, PinConfig.DEFAULT, AccessConfig.DEFAULT);
  }

  public GatewayConfig(List<ServerConfig> servers, int maxMessageBytes, Duration requestTimeout,
      Duration startupTimeout, Duration maxRestartBackoff, List<String> allowedOrigins, int pageSize, int maxSessions,
      ScanConfig scan, PinConfig pin) {
    this(servers, maxMessageBytes, requestTimeout, startupTimeout, maxRestartBackoff, allowedOrigins, pageSize,
        maxSessions, scan, pin, AccessConfig.DEFAULT);
  }

  public GatewayConfig(List<ServerConfig> servers, int maxMessageBytes, Duration requestTimeout,
      Duration startupTimeout, Duration maxRestartBackoff, List<String> allowedOrigins, int pageSize, int maxSessions,
      ScanConfig scan, PinConfig pin, AccessConfig access) {
    this(servers, maxMessageBytes, requestTimeout, startupTimeout, maxRestartBackoff, allowedOrigins, pageSize,
        maxSessions, scan, pin, access, MemoryConfig.DEFAULT);
  }

  public GatewayConfig(List<ServerConfig> servers, int maxMessageBytes, Duration requestTimeout,
      Duration startupTimeout, Duration maxRestartBackoff, List<String> allowedOrigins, int pageSize, int maxSessions,
      ScanConfig scan, PinConfig pin, AccessConfig access, MemoryConfig memory) {
    this(servers, maxMessageBytes, requestTimeout, startupTimeout, maxRestartBackoff, allowedOrigins, pageSize,
        maxSessions, scan, pin, access, memory, SandboxConfig.DEFAULT);
  }

  public GatewayConfig(List<ServerConfig> servers, int maxMessageBytes, Duration requestTimeout,
      Duration startupTimeout, Duration maxRestartBackoff, List<String> allowedOrigins, int pageSize, int maxSessions,
      ScanConfig scan, PinConfig pin, AccessConfig access, MemoryConfig memory, SandboxConfig sandbox) {
    this(servers, maxMessageBytes, requestTimeout, startupTimeout, maxRestartBackoff, allowedOrigins, pageSize,
        maxSessions, scan, pin, access, memory, sandbox, dev.aegis.sandbox.snapshot.SnapshotConfig.NONE);
  }

  public GatewayConfig {
    servers = List.copyOf(servers);
    if (snapshots == null) {
      throw new IllegalArgumentException("snapshot settings are required (SnapshotConfig.NONE)");
    }
    if (sandbox == null) {
      throw new IllegalArgumentException("sandbox settings are required (SandboxConfig.DEFAULT)");
    }
    if (access == null || memory == null) {
      throw new IllegalArgumentException("access and memory settings are required (AccessConfig.DEFAULT, "
          + "MemoryConfig.DEFAULT)");
    }
    if (scan == null || pin == null) {
      throw new IllegalArgumentException("scan and pin settings are required (ScanConfig.DEFAULT, PinConfig.DEFAULT)");
    }
    allowedOrigins = List.copyOf(allowedOrigins);
    if (maxMessageBytes <= 0 || requestTimeout.isNegative() || startupTimeout.isNegative() || pageSize < 0
        || maxSessions <= 0) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }

  /** The same configuration with other pin settings. */
  public GatewayConfig withPin(PinConfig p) {
    return new GatewayConfig(servers, maxMessageBytes, requestTimeout, startupTimeout, maxRestartBackoff,
        allowedOrigins, pageSize, maxSessions, scan, p, access, memory, sandbox, snapshots);
  }

  /** The same configuration with other access settings. */
  public GatewayConfig withAccess(AccessConfig a) {
    return new GatewayConfig(servers, maxMessageBytes, requestTimeout, startupTimeout, maxRestartBackoff,
        allowedOrigins, pageSize, maxSessions, scan, pin, a, memory, sandbox, snapshots);
  }

  /** The same configuration with other memory settings. */
  public GatewayConfig withMemory(MemoryConfig m) {
    return new GatewayConfig(servers, maxMessageBytes, requestTimeout, startupTimeout, maxRestartBackoff,
        allowedOrigins, pageSize, maxSessions, scan, pin, access, m, sandbox, snapshots);
  }

  /** The same configuration with other sandbox settings. */
  public GatewayConfig withSandbox(SandboxConfig sb) {
    return new GatewayConfig(servers, maxMessageBytes, requestTimeout, startupTimeout, maxRestartBackoff,
        allowedOrigins, pageSize, maxSessions, scan, pin, access, memory, sb, snapshots);
  }

  /** The same configuration with other snapshot settings. */
  public GatewayConfig withSnapshots(dev.aegis.sandbox.snapshot.SnapshotConfig sn) {
    return new GatewayConfig(servers, maxMessageBytes, requestTimeout, startupTimeout, maxRestartBackoff,
        allowedOrigins, pageSize, maxSessions, scan, pin, access, memory, sandbox, sn);
  }

  /** A configuration with these servers and every default. */
  public static GatewayConfig of(List<ServerConfig> servers) {
    return new GatewayConfig(servers, DEFAULT_MAX_MESSAGE_BYTES, Duration.ofSeconds(120), Duration.ofSeconds(30),
        Duration.ofSeconds(30), List.of(), 0, DEFAULT_MAX_SESSIONS);
  }
}
