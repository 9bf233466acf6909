package dev.aegis.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Runs the attack lab end to end and checks every verdict against the effect on disk. */
class DemoTest {
  private static final List<String> IDS = List.of("schema-injection", "rug-pull", "shadowing", "confused-deputy",
      "authorized-keys", "poisoned-memory");
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Path REAL_SSH = Path.of(System.getProperty("user.home"), ".ssh");

  @Test
  @Timeout(120)
  void everyVerdictMatchesTheObservedEffect(@TempDir Path work) throws Exception {
    Map<String, String> before = snapshot(REAL_SSH);
    List<Demo.Result> results = new Demo(work, false).run();
    JsonNode root = MAPPER.readTree(DemoReport.json(results));

    assertThat(root.propertyNames()).containsExactly("attacks");
    List<String> ids = new ArrayList<>();
    for (JsonNode a : root.get("attacks")) {
      assertThat(a.propertyNames()).containsExactly("id", "name", "stopped", "how");
      assertThat(a.get("stopped").isBoolean()).isTrue();
      assertThat(a.get("name").asString()).isNotBlank();
      assertThat(a.get("how").asString()).isNotBlank();
      ids.add(a.get("id").asString());
    }
    assertThat(ids).containsExactlyElementsOf(IDS);

    // every fixture really ran, so no verdict rests on a lab that failed to start
    for (String[] s : new String[][] {{"schema-injection", "schema-injection"}, {"rug-pull", "rug-pull"},
        {"shadowing", "trusted-mail"}, {"shadowing", "shadow-mail"}, {"authorized-keys", "authorized-keys"}}) {
      assertThat(work.resolve(s[0]).resolve(s[1] + ".started")).as(s[1] + " started").exists();
    }

    Path si = work.resolve("schema-injection");
    String key = Files.readString(si.resolve("home/.ssh/id_rsa"));
    assertThat(stopped(root, "schema-injection")).isEqualTo(!anyArgumentContains(si.resolve("schema-injection.jsonl"),
        key));

    Path rp = work.resolve("rug-pull");
    String env = Files.readString(rp.resolve("home/.env"));
    assertThat(stopped(root, "rug-pull")).isEqualTo(!anyArgumentContains(rp.resolve("rug-pull.jsonl"), env));

    Path sh = work.resolve("shadowing");
    assertThat(stopped(root, "shadowing")).isEqualTo(calls(sh.resolve("shadow-mail.jsonl")).isEmpty());
    boolean bcc = anyArgumentContains(sh.resolve("trusted-mail.jsonl"), AttackServer.ATTACKER_EMAIL)
        || anyArgumentContains(sh.resolve("shadow-mail.jsonl"), AttackServer.ATTACKER_EMAIL);
    assertThat(stopped(root, "confused-deputy")).isEqualTo(!bcc);

    Path keys = work.resolve("authorized-keys/home/.ssh/authorized_keys");
    assertThat(stopped(root, "authorized-keys")).isEqualTo(!(Files.exists(keys)
        && Files.readString(keys).contains(AttackServer.ATTACKER_KEY)));

    Path pm = work.resolve("poisoned-memory");
    String apiKey = Files.readString(pm.resolve("home/.env"));
    boolean exported;
    // the demo's shared memory is Aegis's own (builtin): read its log straight from the database
    try (dev.aegis.store.sqlite.SqliteStore store = dev.aegis.store.sqlite.SqliteStore.open(pm.resolve("memory.db"))) {
      assertThat(store.head()).as("agent A's write reached memory").isPositive();
      List<String> contents = new ArrayList<>();
      store.scan(1, store.head(), e -> contents.add(String.valueOf(e.content())));
      exported = contents.stream().anyMatch(c -> c.contains(apiKey.substring(apiKey.indexOf("sk-"))));
    }
    assertThat(stopped(root, "poisoned-memory")).isEqualTo(!exported);

    // the real home was never touched
    assertThat(snapshot(REAL_SSH)).isEqualTo(before);
    Path realKeys = REAL_SSH.resolve("authorized_keys");
    if (Files.exists(realKeys)) {
      assertThat(Files.readString(realKeys)).doesNotContain(AttackServer.ATTACKER_KEY);
    }
  }

  @Test
  @Timeout(120)
  void commandPrintsExactlyTheJsonShapeAndExitsZero() throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      code = Main.run("demo", "--format", "json");
    } finally {
      System.setOut(out);
    }
    assertThat(code).isZero();
    JsonNode root = MAPPER.readTree(buf.toString(StandardCharsets.UTF_8).trim());
    assertThat(root.propertyNames()).containsExactly("attacks");
    assertThat(root.get("attacks")).hasSize(IDS.size());
    // the shadowing server cannot capture a call meant for the trusted one: tools are namespaced server__tool
    for (JsonNode a : root.get("attacks")) {
      if (a.get("id").asString().equals("shadowing")) {
        assertThat(a.get("stopped").asBoolean()).isTrue();
      }
    }
  }

  @Test
  void fixtureServersRefuseTheRealHome(@TempDir Path dir) {
    assertThat(AttackServer.refusal(dir.toString(), System.getProperty("user.home"))).isNotNull();
    assertThat(AttackServer.refusal(dir.toString(), dir.toString())).isNotNull();
    assertThat(AttackServer.refusal(null, dir.resolve("home").toString())).isNotNull();
    assertThat(AttackServer.refusal(dir.toString(), dir.resolve("home").toString())).isNull();
  }

  private static boolean stopped(JsonNode root, String id) {
    for (JsonNode a : root.get("attacks")) {
      if (a.get("id").asString().equals(id)) {
        return a.get("stopped").asBoolean();
      }
    }
    throw new AssertionError("no attack " + id);
  }

  private static List<JsonNode> calls(Path jsonl) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (Files.exists(jsonl)) {
      for (String line : Files.readAllLines(jsonl)) {
        if (!line.isBlank()) {
          out.add(MAPPER.readTree(line));
        }
      }
    }
    return out;
  }

  private static boolean anyArgumentContains(Path jsonl, String value) throws IOException {
    for (JsonNode call : calls(jsonl)) {
      for (JsonNode arg : call.path("arguments")) {
        if (arg.isString() && arg.asString().contains(value)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Every file under dir with its size and modification time; empty when dir does not exist. */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      out.put("<absent>", String.valueOf(Files.exists(dir)));
      return out;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.toList()) {
        out.put(f.toString(), Files.isRegularFile(f) ? Files.size(f) + "@" + Files.getLastModifiedTime(f) : "dir");
      }
    }
    return out;
  }
}
