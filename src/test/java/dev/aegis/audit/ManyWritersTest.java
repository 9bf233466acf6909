package dev.aegis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hosts start a gateway per server and per window, often at the same moment and on one {@code $AEGIS_HOME}: each
 * must get a chain of its own, and the signing key must be created exactly once, never read half-written.
 */
class ManyWritersTest {

  @Test
  void manyGatewaysStartingTogetherEachGetAChainAndShareOneKey(@TempDir Path home) throws Exception {
    int writers = 24; // more than the 16 chains an earlier version allowed
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Callable<AuditLog>> opens = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        opens.add(() -> AuditLog.open(home));
      }
      List<AuditLog> logs = new ArrayList<>();
      for (Future<AuditLog> f : pool.invokeAll(opens)) {
        logs.add(f.get());
      }
      for (AuditLog log : logs) {
        log.close();
      }
    } finally {
      pool.shutdownNow();
    }
    List<Path> chains = AuditLog.chainDirs(home);
    assertThat(chains).hasSize(writers);
    assertThat(chains.get(0).getFileName().toString()).isEqualTo("audit");
    assertThat(chains.get(writers - 1).getFileName().toString()).isEqualTo("audit-" + writers);
    Set<String> keys = new HashSet<>();
    try (var files = Files.list(home.resolve("keys"))) {
      files.forEach(p -> keys.add(p.getFileName().toString()));
    }
    assertThat(keys).contains(AuditKeys.PRIVATE_FILE, AuditKeys.PUBLIC_FILE);
    for (Path chain : chains) {
      assertThat(AuditVerifier.verify(chain, AuditKeys.loadPublic(home.resolve("keys").resolve(AuditKeys.PUBLIC_FILE)))
          .intact()).as("chain %s verifies with the one key", chain).isTrue();
    }
  }
}
