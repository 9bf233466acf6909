package dev.aegis.interop;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code interop/clients/session.mjs}, the official TypeScript SDK client, through a {@link SessionPlan}.
 *
 * <pre>{@code
 * SessionReport report = SdkClient.run(peers, workDir, "stdio", plan);
 * }</pre>
 */
final class SdkClient {
  private SdkClient() {}

  /** Starts a session without waiting for it (for sessions that must overlap). */
  static Peer start(Peers peers, Path workDir, String name, SessionPlan plan) {
    Path planFile = plan.write(workDir.resolve("plan-" + name + ".json"));
    return peers.start("sdk-client-" + name,
        List.of(Interop.node(), Interop.clientScript("session.mjs"), planFile.toString()), Map.of());
  }

  /** Waits for a started session's report; the script's own deadline comes first, this one is the backstop. */
  static SessionReport await(Peer client, SessionPlan plan) {
    client.awaitExit(plan.timeout().plus(Duration.ofSeconds(15)));
    return SessionReport.parse(client.stdout(), client.stderr());
  }

  static SessionReport run(Peers peers, Path workDir, String name, SessionPlan plan) {
    return await(start(peers, workDir, name, plan), plan);
  }
}
