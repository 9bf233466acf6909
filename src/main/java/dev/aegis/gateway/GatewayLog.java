package dev.aegis.gateway;

import java.io.PrintStream;
import java.time.Instant;

/**
 * The gateway's operational log: one line per event on stderr (over stdio, hosts capture it; never stdout, which
 * carries protocol). Exchange records go to the {@link ExchangeLog} instead.
 */
public final class GatewayLog {
  private final PrintStream out;
  private final boolean debug;

  public GatewayLog(PrintStream out, boolean debug) {
    this.out = out;
    this.debug = debug;
  }

  public void info(String message) {
    out.println(Instant.now() + " INFO  " + message);
  }

  public void warn(String message) {
    out.println(Instant.now() + " WARN  " + message);
  }

  public void debug(String message) {
    if (debug) {
      out.println(Instant.now() + " DEBUG " + message);
    }
  }
}
