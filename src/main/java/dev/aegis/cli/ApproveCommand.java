package dev.aegis.cli;

import dev.aegis.config.ConfigException;
import dev.aegis.config.ConfigLoader;
import dev.aegis.config.PinConfig;
import dev.aegis.pin.Lockfile;
import dev.aegis.pin.PinGuard;
import dev.aegis.pin.PinStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aegis approve SERVER[/NAME]}: accepts what the gateway holds for a server (every held definition and a
 * changed identity), or one definition, recording who approved it and when. A running gateway notices the change
 * and shows the approved definitions to its hosts.
 *
 * <pre>{@code
 * aegis approve github                  # everything held for github
 * aegis approve github/create_issue     # one tool (or prompt, or resource template)
 * }</pre>
 */
@Command(name = "approve", mixinStandardHelpOptions = true,
    description = "Approve what the gateway holds for SERVER (or only SERVER/NAME): held definitions become the pinned"
        + " ones in the lockfile. `aegis diff --held SERVER/NAME` shows a change first.")
final class ApproveCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SERVER[/NAME]", description = "A server, or one of its tools, prompts or"
      + " resource templates.")
  String what;

  @Option(names = "--lockfile", paramLabel = "FILE",
      description = "The lockfile (default: pin.lockfile of the config, else $AEGIS_HOME/aegis.lock).")
  Path lockfile;

  @Option(names = "--config", paramLabel = "FILE", description = "Read pin.lockfile from this configuration.")
  Path config;

  @Option(names = "--by", paramLabel = "NAME", description = "Who approves (default: $USER).")
  String by;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    Path file;
    try {
      file = resolveLockfile(lockfile, config);
    } catch (ConfigException e) {
      e.errors().forEach(line -> err.println("aegis approve: " + line));
      return 2;
    }
    int slash = what.indexOf('/');
    String server = slash < 0 ? what : what.substring(0, slash);
    String name = slash < 0 ? null : what.substring(slash + 1);
    String who = by != null ? by : System.getProperty("user.name", "unknown");
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    if (!Files.exists(file)) {
      err.println("aegis approve: no lockfile at " + file + " (run the gateway or `aegis pin` first)");
      return 2;
    }
    PinStore store = new PinStore(file);
    List<String> done = new ArrayList<>();
    String problem;
    try {
      problem = store.update(lock -> approve(lock, server, name, who, now, done));
    } catch (IllegalArgumentException e) {
      err.println("aegis approve: " + e.getMessage());
      return 2;
    }
    if (problem != null) {
      err.println("aegis approve: " + problem);
      return 1;
    }
    done.forEach(out::println);
    out.println("lockfile: " + store.file());
    return 0;
  }

  /** The lockfile named by --lockfile, by the configuration's pin.lockfile, or $AEGIS_HOME/aegis.lock. */
  static Path resolveLockfile(Path lockfile, Path config) throws ConfigException {
    if (lockfile != null) {
      return lockfile;
    }
    Path home = AegisHome.resolve();
    Path cfg = AegisHome.config(config);
    PinConfig pin = config != null || Files.exists(cfg) ? ConfigLoader.load(cfg).config().pin() : PinConfig.DEFAULT;
    return PinGuard.lockfile(pin, home);
  }

  private static PinStore.Result<String> approve(Lockfile lock, String server, String name, String who, String now,
      List<String> done) {
    Lockfile.Server s = lock.server(server);
    if (s == null) {
      return new PinStore.Result<>(false, "no server '" + server + "' in the lockfile (known: "
          + String.join(", ", lock.servers().keySet()) + ")");
    }
    if (name != null && s.heldIdentity() != null) {
      return new PinStore.Result<>(false, "the identity of '" + server + "' changed (now "
          + s.heldIdentity().describe() + "); approve the server as a whole: aegis approve " + server);
    }
    if (name == null && s.heldIdentity() != null) {
      done.add("approved the identity of " + server + ": " + s.heldIdentity().describe() + " (was "
          + s.identity().describe() + ")");
      s.identity(s.heldIdentity());
      s.heldIdentity(null);
    }
    for (Lockfile.Kind kind : Lockfile.Kind.values()) {
      for (Map.Entry<String, Lockfile.Held> e : new ArrayList<>(s.held(kind).entrySet())) {
        if (name != null && !name.equals(e.getKey())) {
          continue;
        }
        Lockfile.Held h = e.getValue();
        s.pins(kind).put(e.getKey(), new Lockfile.Pin(h.fingerprint(), h.version(), new Lockfile.Approval(who, now),
            h.definition()));
        s.held(kind).remove(e.getKey());
        done.add("approved " + kind.label() + " " + server + "/" + e.getKey() + " (" + h.classification() + ": "
            + String.join("; ", h.reasons()) + ")");
      }
    }
    if (done.isEmpty()) {
      return new PinStore.Result<>(false, "nothing is held for " + server + (name == null ? "" : "/" + name));
    }
    return new PinStore.Result<>(true, null);
  }
}
