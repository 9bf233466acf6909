package dev.aegis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.AccessConfig;
import dev.aegis.config.PinConfig;
import dev.aegis.pin.PinGuard;
import dev.aegis.policy.AccessGuard;
import dev.aegis.protocol.Codec;
import dev.aegis.scan.ScanGuard;
import dev.aegis.scan.Scanner;
import dev.aegis.trust.TrustLabels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up warm-up runs every call through the real guards without leaving a trace in their state. */
class WarmupTest {
  @TempDir
  Path tmp;

  @Test
  void theGuardsAreWarmedUpAndKeepNothing() {
    Path lock = tmp.resolve("aegis.lock");
    PinGuard pin = new PinGuard(PinConfig.DEFAULT, List.of(), lock);
    AccessGuard access = new AccessGuard(AccessConfig.Policy.DEFAULT, null,
        TrustLabels.from(AccessConfig.Trust.DEFAULT), AccessConfig.Trust.DEFAULT, null);
    ScanGuard scan = new ScanGuard(Scanner.builtIn(), true, ScanGuard.OutputMode.REDACT, 1 << 20);

    long sink = Warmup.run(new Codec(1 << 20), List.of(access, scan, pin));

    // every round went through to the end (a guard that threw would have stopped the loop early)
    assertThat(sink).isEqualTo(Warmup.run(new Codec(1 << 20)));
    assertThat(Files.exists(lock)).isFalse();
    assertThat(access.taint().labels("warmup")).isEmpty();
  }
}
