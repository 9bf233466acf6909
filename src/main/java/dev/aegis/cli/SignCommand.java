package dev.aegis.cli;

import dev.aegis.pin.Manifest;
import dev.aegis.pin.Signatures;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code aegis sign}: a publisher signs its server's manifest (tools, prompts, resource templates), or anyone checks
 * such a signature against publisher keys.
 *
 * <pre>{@code
 * aegis sign --key keys/acme.key --server acme --tools tools.json --out tools.jws
 * aegis sign --verify tools.jws --pub keys/acme.pub --server acme --tools tools.json
 * }</pre>
 */
@Command(name = "sign", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Sign a server's manifest built from a tools file (JWS, Ed25519 over canonical JSON), or with"
        + " --verify check a signature against publisher public keys.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:signed, or the signature is valid", "1:--verify: the signature is not valid (untrusted key,"
        + " bad signature, manifest changed, malformed)", "2:usage or input error (options, key or tools file)"})
final class SignCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--key", paramLabel = "FILE", description = "Private key (PKCS#8 PEM from 'aegis keygen') to sign"
      + " with.")
  Path key;

  @Option(names = "--server", paramLabel = "NAME", required = true, description = "The server's name; it is part of"
      + " what is signed.")
  String server;

  @Option(names = "--tools", paramLabel = "FILE", required = true, description = "A JSON array of tools, a"
      + " tools/list result, a JSON-RPC response holding one, or a manifest with prompts and resourceTemplates.")
  Path tools;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the signature here instead of stdout.")
  Path out;

  @Option(names = "--verify", paramLabel = "SIG", description = "Verify this signature file instead of signing.")
  Path verify;

  @Option(names = "--pub", paramLabel = "FILE", arity = "1..*", description = "With --verify: trusted public key"
      + " file(s).")
  List<Path> pubs = new ArrayList<>();

  /** A usage or input problem: shown as is, exit code 2. */
  static final class InputError extends Exception {
    InputError(String message) {
      super(message);
    }
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return verify != null ? verify() : sign();
    } catch (InputError e) {
      err.println("aegis sign: " + e.getMessage());
      err.flush();
      return 2;
    }
  }

  private int sign() throws InputError {
    if (key == null) {
      throw new InputError("give --key FILE to sign, or --verify SIG --pub FILE to verify");
    }
    if (!pubs.isEmpty()) {
      throw new InputError("--pub only goes with --verify");
    }
    PrivateKey privateKey = input(() -> Signatures.readPrivate(key), key);
    ObjectNode manifest = input(() -> Manifest.fromFile(tools, server), tools);
    String jws = Signatures.sign(manifest, privateKey);
    if (out == null) {
      spec.commandLine().getOut().println(jws);
      spec.commandLine().getOut().flush();
    } else {
      try {
        Files.writeString(out, jws + "\n", StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new InputError(out + ": cannot write: " + e.getMessage());
      }
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println("aegis sign: signed " + manifest.get("tools").size() + " tool(s), " + manifest.get("prompts").size()
        + " prompt(s), " + manifest.get("resourceTemplates").size() + " resource template(s) of server '" + server
        + "' with " + Signatures.keyId(Signatures.publicKeyOf(privateKey)) + (out == null ? "" : " into " + out));
    err.flush();
    return 0;
  }

  private int verify() throws InputError {
    if (key != null || out != null) {
      throw new InputError("--verify takes --pub, --server and --tools; not --key or --out");
    }
    if (pubs.isEmpty()) {
      throw new InputError("--verify needs at least one trusted --pub FILE");
    }
    Map<String, PublicKey> trusted = new LinkedHashMap<>();
    for (Path p : pubs) {
      PublicKey k = input(() -> Signatures.readPublic(p), p);
      trusted.put(Signatures.keyId(k), k);
    }
    String jws = input(() -> readSignature(verify), verify);
    ObjectNode manifest = input(() -> Manifest.fromFile(tools, server), tools);
    Signatures.Verification v = Signatures.verify(jws, manifest, trusted);
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.println(v.status() + ": " + v.detail());
    stdout.flush();
    return v.valid() ? 0 : 1;
  }

  private static String readSignature(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      // a few bytes over the JWS limit, for a trailing newline; verify refuses the rest
      byte[] bytes = in.readNBytes(Signatures.MAX_JWS + 16);
      if (bytes.length > Signatures.MAX_JWS + 8) {
        throw new IllegalArgumentException(file + ": too large for a signature (over " + Signatures.MAX_JWS
            + " bytes)");
      }
      return new String(bytes, StandardCharsets.US_ASCII).strip();
    }
  }

  interface Reader<T> {
    T read() throws IOException;
  }

  /** Runs a read, turning I/O and content errors into one input error naming the file. */
  private static <T> T input(Reader<T> reader, Path file) throws InputError {
    try {
      return reader.read();
    } catch (IllegalArgumentException e) {
      throw new InputError(e.getMessage());
    } catch (IOException e) {
      String why = e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage();
      throw new InputError(file + ": cannot read: " + why);
    }
  }
}
