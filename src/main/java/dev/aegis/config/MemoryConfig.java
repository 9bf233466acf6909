package dev.aegis.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code memory:} section: where shared memory lives and who may read and write which scope. Used by
 * {@code aegis memory serve} and by a gateway server entry {@code builtin: memory}.
 *
 * <pre>{@code
 * memory:
 *   store: memory.db                   # SQLite file (default: $AEGIS_HOME/memory.db)
 *   postgres:                          # instead of store: one database shared by several gateways
 *     url: jdbc:postgresql://db.internal:5432/aegis
 *     user: aegis
 *     passwordEnv: AEGIS_PG_PASSWORD   # the password is read from this environment variable
 *   keys: memory-keys                  # Ed25519 keys Aegis holds for agents (default: $AEGIS_HOME/memory-keys)
 *   defaultScope: team                 # scope used when a call names none (default: the caller's own agent:NAME)
 *   untrusted: [web-agent]             # principals whose writes are untrusted
 *   quarantine: true                   # instruction-like text from untrusted writers is quarantined
 *   checkpointEvery: 1000              # a signed checkpoint every N log entries
 *   scopes:
 *     team:   {read: ["*"], write: [group:agents], admin: [alice]}
 *     global: {read: ["*"], write: [alice]}
 *   agentKeys:                         # agents that hold their own Ed25519 key sign every write request
 *     ci-bot: MCowBQYDK2VwAyEA...      # X.509 public key, base64 (aegis keygen prints one)
 * }</pre>
 *
 * Every principal has its own scope {@code agent:NAME} with all rights; any other scope is reachable only as listed.
 * Members are principal names, {@code group:NAME} or {@code *}.
 *
 * @param store the SQLite file, or null for {@code $AEGIS_HOME/memory.db}; ignored when {@code postgres} is set
 * @param postgres PostgreSQL settings, or null for SQLite
 * @param keys the key folder, or null for {@code $AEGIS_HOME/memory-keys}
 * @param defaultScope the scope of calls that name none; null for the caller's {@code agent:NAME}
 */
public record MemoryConfig(Path store, Postgres postgres, Path keys, String defaultScope, List<String> untrusted,
    boolean quarantine, int checkpointEvery, Map<String, Scope> scopes, Map<String, String> agentKeys) {

  public static final MemoryConfig DEFAULT = new MemoryConfig(null, null, null, null, List.of(), true, 1000, Map.of(),
      Map.of());

  /** Settings where Aegis holds every principal's key. */
  public MemoryConfig(Path store, Postgres postgres, Path keys, String defaultScope, List<String> untrusted,
      boolean quarantine, int checkpointEvery, Map<String, Scope> scopes) {
    this(store, postgres, keys, defaultScope, untrusted, quarantine, checkpointEvery, scopes, Map.of());
  }

  public MemoryConfig {
    untrusted = List.copyOf(untrusted);
    scopes = Map.copyOf(scopes);
    agentKeys = Map.copyOf(agentKeys);
    if (checkpointEvery <= 0) {
      throw new IllegalArgumentException("checkpointEvery must be positive");
    }
  }

  /** Whether {@code name} may name a scope: 1-200 characters of letters, digits and {@code . _ : -}. */
  public static boolean validScope(String name) {
    if (name == null || name.isEmpty() || name.length() > 200) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':'
          || c == '-' || c == '@')) {
        return false;
      }
    }
    return true;
  }

  /** Who may read, write and administer (revert, see quarantined items) one scope. */
  public record Scope(List<String> read, List<String> write, List<String> admin) {
    public Scope {
      read = List.copyOf(read);
      write = List.copyOf(write);
      admin = List.copyOf(admin);
    }
  }

  /** A PostgreSQL database; the password comes from the environment variable {@code passwordEnv} (may be null). */
  public record Postgres(String url, String user, String passwordEnv) {}
}
