package dev.aegis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pin.Fingerprints;
import dev.aegis.pin.Identity;
import dev.aegis.pin.Lockfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code aegis diff} reads the lockfile: the approved definition against the held one, or against a file. */
class DiffLockfileTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Identity ID = new Identity(List.of("srv"), null, "srv", "1.0.0");

  @TempDir
  Path tmp;

  private static DiffCommandTest.Run diff(String... args) {
    return DiffCommandTest.diff(args);
  }

  private Path lockfile() throws Exception {
    JsonNode v1 = JSON.readTree("{\"name\":\"search\",\"description\":\"Searches.\",\"inputSchema\":{\"type\":"
        + "\"object\",\"properties\":{\"q\":{\"type\":\"string\"},\"limit\":{\"type\":\"integer\"}}}}");
    JsonNode v2 = JSON.readTree("{\"name\":\"search\",\"description\":\"Searches.\",\"inputSchema\":{\"type\":"
        + "\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}}");
    Lockfile lock = Lockfile.empty();
    Lockfile.Server s = new Lockfile.Server(ID, null);
    s.pins(Lockfile.Kind.TOOL).put("search", new Lockfile.Pin(Fingerprints.of(ID, Lockfile.Kind.TOOL, v1), "1.0.0",
        new Lockfile.Approval("alice", "2026-11-24T10:00:00Z"), v1));
    s.held(Lockfile.Kind.TOOL).put("search", new Lockfile.Held(Fingerprints.of(ID, Lockfile.Kind.TOOL, v2), "1.0.0",
        "2026-11-24T11:00:00Z", "breaking", List.of("changed"), v2));
    lock.put("srv", s);
    Path file = tmp.resolve("aegis.lock");
    lock.write(file);
    return file;
  }

  @Test
  void heldShowsWhatChangedSinceApproval() throws Exception {
    DiffCommandTest.Run r = diff("--held", "srv/search", "--lockfile", lockfile().toString(), "--format", "json");

    assertThat(r.code()).as(r.err()).isEqualTo(1);
    JsonNode json = JSON.readTree(r.out());
    assertThat(json.path("classification").asString()).isEqualTo("breaking");
    assertThat(json.path("changes").get(0).path("kind").asString()).isEqualTo("parameter_removed");
    assertThat(json.path("changes").get(0).path("pointer").asString()).isEqualTo("/inputSchema/properties/limit");
  }

  @Test
  void aLockfileCanBeTheOldSide() throws Exception {
    Path now = tmp.resolve("now.json");
    Files.writeString(now, "[{\"name\":\"search\",\"description\":\"Searches.\",\"inputSchema\":{\"type\":\"object\","
        + "\"properties\":{\"q\":{\"type\":\"string\"},\"limit\":{\"type\":\"integer\"}}}},{\"name\":\"fetch\","
        + "\"description\":\"Fetches a page.\",\"inputSchema\":{\"type\":\"object\"}}]");

    DiffCommandTest.Run r = diff(lockfile().toString(), now.toString(), "--server", "srv");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("tool added", "classification: compatible");
  }

  @Test
  void clearErrors() throws Exception {
    Path lock = lockfile();
    assertThat(diff(lock.toString(), lock.toString()).err()).contains("is a lockfile: say which server");
    assertThat(diff("--held", "srv/none", "--lockfile", lock.toString()).err()).contains("nothing is held for srv/none");
    assertThat(diff("--held", "other/x", "--lockfile", lock.toString()).err()).contains("no server 'other'");
    assertThat(diff("--held", "nonsense", "--lockfile", lock.toString()).code()).isEqualTo(2);
  }
}
