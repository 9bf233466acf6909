package dev.aegis.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Toxic flows need all three: something untrusted coming in, private data, and a way out. */
class ToxicFlowsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static JsonNode tool(String name, String description) {
    return JSON.createObjectNode().put("name", name).put("description", description);
  }

  @Test
  void aFetcherAFileReaderAndAMailerMakeAFlow() {
    Map<String, List<JsonNode>> servers = new LinkedHashMap<>();
    servers.put("web", List.of(tool("fetch", "Fetches a URL from the internet and returns its content.")));
    servers.put("fs", List.of(tool("read_file", "Read the complete contents of a file from the file system."),
        tool("list_directory", "Lists a folder.")));
    servers.put("mail", List.of(tool("send_email", "Sends an email to the given recipients.")));

    List<ToxicFlows.Flow> flows = ToxicFlows.find(servers);

    assertThat(flows).contains(new ToxicFlows.Flow("web/fetch", "fs/read_file", "mail/send_email"));
    assertThat(flows.get(0).toString()).contains("(untrusted)", "(private)", "(public sink)");
  }

  @Test
  void withoutAWayOutThereIsNoFlow() {
    Map<String, List<JsonNode>> servers = new LinkedHashMap<>();
    servers.put("web", List.of(tool("fetch", "Fetches a URL.")));
    servers.put("fs", List.of(tool("read_file", "Reads a file.")));
    servers.put("calc", List.of(tool("add", "Adds two numbers.")));

    assertThat(ToxicFlows.find(servers)).isEmpty();
  }

  @Test
  void flowsAreBounded() {
    List<JsonNode> many = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      many.add(tool("fetch_" + i, "Fetches a URL."));
      many.add(tool("read_file_" + i, "Reads a file."));
      many.add(tool("send_" + i, "Sends a message."));
    }

    assertThat(ToxicFlows.find(Map.of("big", many))).hasSize(10);
  }
}
