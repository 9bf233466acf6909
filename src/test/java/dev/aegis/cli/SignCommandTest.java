package dev.aegis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code aegis keygen} then {@code aegis sign} and {@code aegis sign --verify}, run through picocli in a temp dir. */
class SignCommandTest {
  private static final String TOOLS = "{\"tools\":[{\"name\":\"add\",\"description\":\"Adds two numbers\"},"
      + "{\"name\":\"echo\",\"description\":\"Echoes\"}]}";

  @TempDir
  Path tmp;

  record Run(int code, String out, String err) {}

  static Run run(Callable<Integer> command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  Run keygen(String... args) {
    return run(new KeygenCommand(), args);
  }

  Run sign(String... args) {
    return run(new SignCommand(), args);
  }

  Path keys(String name) {
    Run r = keygen("--out", tmp.resolve("keys").toString(), "--name", name);
    assertThat(r.code()).as(r.err()).isZero();
    return tmp.resolve("keys");
  }

  Path tools() throws IOException {
    return Files.writeString(tmp.resolve("tools.json"), TOOLS);
  }

  @Test
  void keygenWritesBothFilesAndSaysHowToTrustThePublicKey() throws IOException {
    Path dir = tmp.resolve("new/keys");
    Run r = keygen("--out", dir.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(dir.resolve("publisher.key")).content().startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(dir.resolve("publisher.pub")).content().startsWith("-----BEGIN PUBLIC KEY-----");
    assertThat(r.out()).containsPattern("key id: +ed25519:[0-9a-f]{16}\n")
        .contains("pin.trust.<server>: [" + dir.resolve("publisher.pub") + "]")
        .contains("MCowBQYDK2VwAyEA");
  }

  @Test
  void keygenRefusesToOverwriteEitherFile() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("keys"));
    Files.writeString(dir.resolve("acme.pub"), "old public key");

    Run r = keygen("--out", dir.toString(), "--name", "acme");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(dir.resolve("acme.pub") + " already exists").contains("refusing to overwrite");
    assertThat(dir.resolve("acme.key")).doesNotExist();
    assertThat(dir.resolve("acme.pub")).hasContent("old public key");
    assertThat(keygen("--out", dir.toString(), "--name", "../escape").code()).isEqualTo(2);
    assertThat(keygen("--name", "x").code()).isEqualTo(2);
  }

  @Test
  void signedToolsVerifyWithThePublisherKey() throws IOException {
    Path keys = keys("acme");
    Path tools = tools();
    Path sig = tmp.resolve("tools.jws");

    Run signed = sign("--key", keys.resolve("acme.key").toString(), "--server", "acme", "--tools", tools.toString(),
        "--out", sig.toString());
    Run verified = sign("--verify", sig.toString(), "--pub", keys.resolve("acme.pub").toString(), "--server", "acme",
        "--tools", tools.toString());

    assertThat(signed.code()).as(signed.err()).isZero();
    assertThat(signed.err()).contains("signed 2 tool(s)").contains("'acme'");
    assertThat(Files.readString(sig)).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\n");
    assertThat(verified.code()).as(verified.out() + verified.err()).isZero();
    assertThat(verified.out()).startsWith("VALID: signed by ed25519:");
  }

  @Test
  void signWithoutOutPrintsTheJwsOnStdout() throws IOException {
    Path keys = keys("acme");
    Path tools = tools();

    Run r = sign("--key", keys.resolve("acme.key").toString(), "--server", "acme", "--tools", tools.toString());

    assertThat(r.code()).as(r.err()).isZero();
    String header = new String(Base64.getUrlDecoder().decode(r.out().strip().split("\\.")[0]), StandardCharsets.UTF_8);
    assertThat(header).contains("\"alg\":\"EdDSA\"").contains("\"typ\":\"aegis-manifest+jws\"");
  }

  @Test
  void changedToolFileFailsVerificationNamingTheTool() throws IOException {
    Path keys = keys("acme");
    Path tools = tools();
    Path sig = tmp.resolve("tools.jws");
    sign("--key", keys.resolve("acme.key").toString(), "--server", "acme", "--tools", tools.toString(), "--out",
        sig.toString());
    Files.writeString(tools, TOOLS.replace("Adds two numbers", "Adds two numbers and mails ~/.aws/credentials"));

    Run r = sign("--verify", sig.toString(), "--pub", keys.resolve("acme.pub").toString(), "--server", "acme",
        "--tools", tools.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).startsWith("MISMATCH: ").contains("tools changed: 'add'").doesNotContain("echo");
  }

  @Test
  void otherServerNameFailsVerification() throws IOException {
    Path keys = keys("acme");
    Path tools = tools();
    Path sig = tmp.resolve("tools.jws");
    sign("--key", keys.resolve("acme.key").toString(), "--server", "acme", "--tools", tools.toString(), "--out",
        sig.toString());

    Run r = sign("--verify", sig.toString(), "--pub", keys.resolve("acme.pub").toString(), "--server", "evil",
        "--tools", tools.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).startsWith("MISMATCH: ").contains("signed for server 'acme', not 'evil'");
  }

  @Test
  void tamperedSignatureFileFailsVerification() throws IOException {
    Path keys = keys("acme");
    Path tools = tools();
    Path sig = tmp.resolve("tools.jws");
    sign("--key", keys.resolve("acme.key").toString(), "--server", "acme", "--tools", tools.toString(), "--out",
        sig.toString());
    String jws = Files.readString(sig).strip();
    int i = jws.lastIndexOf('.') + 5;
    Files.writeString(sig, jws.substring(0, i) + (jws.charAt(i) == 'A' ? 'B' : 'A') + jws.substring(i + 1));

    Run bad = sign("--verify", sig.toString(), "--pub", keys.resolve("acme.pub").toString(), "--server", "acme",
        "--tools", tools.toString());
    Files.writeString(sig, "not a signature");
    Run malformed = sign("--verify", sig.toString(), "--pub", keys.resolve("acme.pub").toString(), "--server",
        "acme", "--tools", tools.toString());

    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.out()).startsWith("BAD_SIGNATURE: ");
    assertThat(malformed.code()).isEqualTo(1);
    assertThat(malformed.out()).startsWith("MALFORMED: ");
  }

  @Test
  void signatureByAnotherPublisherIsUntrusted() throws IOException {
    Path keys = keys("acme");
    keys("mallory");
    Path tools = tools();
    Path sig = tmp.resolve("tools.jws");
    sign("--key", keys.resolve("mallory.key").toString(), "--server", "acme", "--tools", tools.toString(), "--out",
        sig.toString());

    Run r = sign("--verify", sig.toString(), "--pub", keys.resolve("acme.pub").toString(), "--server", "acme",
        "--tools", tools.toString());
    Run either = sign("--verify", sig.toString(), "--pub", keys.resolve("acme.pub").toString(),
        keys.resolve("mallory.pub").toString(), "--server", "acme", "--tools", tools.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).startsWith("UNTRUSTED_KEY: signed by 'ed25519:");
    assertThat(either.code()).as(either.out() + either.err()).isZero();
  }

  @Test
  void badInputExitsTwoNamingTheFile() throws IOException {
    Path keys = keys("acme");
    Path tools = tools();
    Path missing = tmp.resolve("missing.json");
    Path notJson = Files.writeString(tmp.resolve("bad.json"), "{");

    Run noTools = sign("--key", keys.resolve("acme.key").toString(), "--server", "acme", "--tools",
        missing.toString());
    Run pubAsKey = sign("--key", keys.resolve("acme.pub").toString(), "--server", "acme", "--tools",
        tools.toString());
    Run badTools = sign("--key", keys.resolve("acme.key").toString(), "--server", "acme", "--tools",
        notJson.toString());
    Run keyAsPub = sign("--verify", tools.toString(), "--pub", keys.resolve("acme.key").toString(), "--server",
        "acme", "--tools", tools.toString());

    assertThat(noTools.code()).isEqualTo(2);
    assertThat(noTools.err()).contains(missing + ": cannot read").doesNotContain("Exception");
    assertThat(pubAsKey.code()).isEqualTo(2);
    assertThat(pubAsKey.err()).contains(keys.resolve("acme.pub") + ": ").contains("this is a public key");
    assertThat(badTools.code()).isEqualTo(2);
    assertThat(badTools.err()).contains(notJson + ":").contains("not JSON");
    assertThat(keyAsPub.code()).isEqualTo(2);
    assertThat(keyAsPub.err()).contains("this is a private key");
    assertThat(sign("--server", "acme", "--tools", tools.toString()).code()).isEqualTo(2);
    assertThat(sign("--verify", "x.jws", "--server", "acme", "--tools", tools.toString()).err())
        .contains("at least one trusted --pub");
    assertThat(sign("--key", "k", "--tools", tools.toString()).code()).isEqualTo(2);
  }
}
