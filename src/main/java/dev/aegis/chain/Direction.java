package dev.aegis.chain;

/** Which way a message travels through the gateway. */
public enum Direction {
  /** From the host (client) towards an upstream server. */
  TO_SERVER,
  /** From an upstream server towards the host: server-initiated requests and notifications. */
  TO_CLIENT
}
