package dev.aegis.cli;

import dev.aegis.audit.AuditFiles;
import dev.aegis.audit.AuditKeys;
import dev.aegis.audit.AuditVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aegis audit verify}: recomputes every hash, the chain and the checkpoint signatures. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check the audit log: every record's hash, the chain across files, and checkpoint signatures."
        + " Exits 0 when intact, 1 when anything was edited, deleted, inserted or reordered, 2 when it cannot check.")
final class AuditVerifyCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--dir", paramLabel = "DIR", description = "The audit folder (default: every chain under $AEGIS_HOME: audit, audit-2, ...).")
  Path dir;

  @Option(names = "--key", paramLabel = "FILE",
      description = "The checkpoint public key (default: DIR/../keys/" + AuditKeys.PUBLIC_FILE + ").")
  Path key;

  @Override
  public Integer call() throws IOException {
    List<Path> chains = AuditCommand.dirs(dir);
    int worst = 0;
    for (Path chain : chains) {
      if (chains.size() > 1) {
        spec.commandLine().getOut().println("== " + chain);
      }
      worst = Math.max(worst, verify(chain.toAbsolutePath()));
    }
    return worst;
  }

  private int verify(Path folder) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (AuditFiles.list(folder).isEmpty()) {
      err.println("aegis: no audit log in " + folder);
      err.flush();
      return 2;
    }
    Path keyFile = key != null ? key : folder.getParent().resolve("keys").resolve(AuditKeys.PUBLIC_FILE);
    if (!Files.exists(keyFile)) {
      err.println("aegis: no public key at " + keyFile + " (give --key FILE)");
      err.flush();
      return 2;
    }
    PublicKey publicKey = AuditKeys.loadPublic(keyFile);
    AuditVerifier.Report report = AuditVerifier.verify(folder, publicKey);
    report.findings().forEach(f -> out.println((f.kind().tampering() ? "TAMPERED " : "warning ") + f));
    report.notes().forEach(n -> out.println("note: " + n));
    out.println((report.intact() ? "intact: " : "NOT intact: ") + report.records() + " records in " + report.files()
        + " file(s), " + report.checkpoints() + " signed checkpoint(s)"
        + (report.intact() ? "" : ", " + report.findings().stream().filter(f -> f.kind().tampering()).count()
        + " problem(s)"));
    out.flush();
    return report.intact() ? 0 : 1;
  }
}
