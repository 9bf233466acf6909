package dev.aegis.gateway;

/** The life of one upstream connection. */
public enum UpstreamState {
  /** Starting the process or connecting, then the initialize handshake. */
  STARTING,
  /** Initialized; requests flow. */
  READY,
  /** Crashed, hung or failed to start; a restart is scheduled. */
  FAILED,
  /** Closed for good with its session. */
  CLOSED
}
