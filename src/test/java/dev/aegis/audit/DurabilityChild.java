package dev.aegis.audit;

import java.io.PrintStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link AuditDurabilityTest} in its own JVM: appends exchanges to the audit log in {@code args[0]} forever
 * and prints {@code ack SEQ} for every seq only after the log reported it forced to disk. The test kills it -9.
 */
public final class DurabilityChild {
  private DurabilityChild() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, "UTF-8");
    long[] printed = {0};
    AuditLog log = AuditLog.open(home.resolve("audit"), home.resolve("keys"), AuditLog.Options.defaults()
        .withMaxFileBytes(32 * 1024).withCheckpointEvery(100).withOnDurable(seq -> {
          StringBuilder sb = new StringBuilder();
          for (long s = printed[0] + 1; s <= seq; s++) {
            sb.append("ack ").append(s).append('\n');
          }
          printed[0] = seq;
          out.print(sb);
          out.flush();
        }));
    out.println("ready");
    out.flush();
    for (int i = 0; ; i++) {
      AuditFixtures.feed(log, i);
      if (i % 64 == 63) {
        // keeps the queue short; several records still share each fsync
        log.flush(30, TimeUnit.SECONDS);
      }
    }
  }
}
