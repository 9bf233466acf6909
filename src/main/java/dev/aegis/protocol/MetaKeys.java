package dev.aegis.protocol;

/**
 * The {@code _meta} keys the 2026-07-28 revision defines for its per-request envelope and its results.
 *
 * <pre>{@code params.path("_meta").has(MetaKeys.PROTOCOL_VERSION) // a stateless request }</pre>
 */
public final class MetaKeys {
  /** Request: the revision the request speaks (required). */
  public static final String PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
  /** Request: what the client can do (required; {@code {}} for nothing). */
  public static final String CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
  /** Request: who the client is (optional). */
  public static final String CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
  /** Request: the log level wanted; without it no log messages are sent. */
  public static final String LOG_LEVEL = "io.modelcontextprotocol/logLevel";
  /** Result: who the server is. */
  public static final String SERVER_INFO = "io.modelcontextprotocol/serverInfo";
  /** Notification on a subscriptions/listen stream: the listen request's id. */
  public static final String SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";

  private MetaKeys() {}
}
