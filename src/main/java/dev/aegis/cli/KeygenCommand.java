package dev.aegis.cli;

import com.google.re2j.Pattern;
import dev.aegis.pin.Signatures;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aegis keygen}: creates a publisher's Ed25519 key pair for signing tool manifests.
 *
 * <pre>{@code
 * aegis keygen --out keys --name acme     # keys/acme.key (mode 600) and keys/acme.pub
 * }</pre>
 */
@Command(name = "keygen", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Create an Ed25519 key pair for signing a server's tool manifest ('aegis sign'): DIR/NAME.key"
        + " (private, PKCS#8 PEM, owner-only) and DIR/NAME.pub (public, PEM). Never overwrites a key.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:keys written", "2:usage error, or a key file already exists"})
final class KeygenCommand implements Callable<Integer> {
  // the name becomes a file name: no separators, no leading dot
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

  @Spec
  CommandSpec spec;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for the key files (created"
      + " if missing).")
  Path out;

  @Option(names = "--name", paramLabel = "NAME", defaultValue = "publisher", description = "Base name of the files"
      + " (default: ${DEFAULT-VALUE}).")
  String name;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!NAME.matcher(name).matches()) {
      err.println("aegis keygen: --name must be letters, digits, '.', '_' or '-' (a file name); was '" + name + "'");
      err.flush();
      return 2;
    }
    Path priv = out.resolve(name + ".key");
    Path pub = out.resolve(name + ".pub");
    // check both first: a new .key beside an old .pub would sign with a key nobody trusts
    for (Path p : new Path[] {priv, pub}) {
      if (Files.exists(p)) {
        err.println("aegis keygen: " + p + " already exists; refusing to overwrite a key (choose another --name"
            + " or --out)");
        err.flush();
        return 2;
      }
    }
    KeyPair pair = Signatures.generate();
    try {
      Files.createDirectories(out);
      Signatures.writePrivate(priv, pair.getPrivate());
      try {
        Signatures.writePublic(pub, pair.getPublic());
      } catch (IOException e) {
        Files.deleteIfExists(priv);
        throw e;
      }
    } catch (FileAlreadyExistsException e) {
      err.println("aegis keygen: " + e.getFile() + " already exists; refusing to overwrite a key");
      err.flush();
      return 2;
    } catch (IOException e) {
      err.println("aegis keygen: cannot write keys to " + out + ": " + e.getMessage());
      err.flush();
      return 2;
    }
    String kid = Signatures.keyId(pair.getPublic());
    stdout.println("key id:      " + kid);
    stdout.println("private key: " + priv + "  (keep secret; sign with: aegis sign --key " + priv
        + " --server NAME --tools tools.json --out tools.jws)");
    stdout.println("public key:  " + pub);
    stdout.println("trust it in the gateway config: pin.trust.<server>: [" + pub + "]  or inline: ["
        + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()) + "]");
    stdout.flush();
    return 0;
  }
}
