package dev.aegis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class ArgumentSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    return JSON.readTree(text);
  }

  private static final JsonNode SEARCH = json("""
      {
        "type": "object",
        "properties": {
          "repo": {"type": "string", "minLength": 3, "pattern": "^[a-z0-9-]+/[a-z0-9-]+$"},
          "limit": {"type": "integer", "minimum": 1, "maximum": 100},
          "order": {"enum": ["asc", "desc"]},
          "filter": {
            "type": "object",
            "properties": {"labels": {"type": "array", "items": {"type": "string"}, "maxItems": 2}},
            "required": ["labels"],
            "additionalProperties": false
          }
        },
        "required": ["repo"]
      }
      """);

  @Test
  void fittingArgumentsHaveNoErrors() {
    assertThat(ArgumentSchema.validate(SEARCH, json("{\"repo\":\"acme/site\",\"limit\":100,\"order\":\"asc\"}")))
        .isEmpty();
  }

  @Test
  void eachFailureNamesItsFieldAndWhy() {
    assertThat(ArgumentSchema.validate(SEARCH, json("{\"limit\":101}")))
        .containsExactlyInAnyOrder("/limit: must be at most 100", "/repo: is required");
    assertThat(ArgumentSchema.validate(SEARCH, json("{\"repo\":\"acme/site\",\"limit\":0}")))
        .containsExactly("/limit: must be at least 1");
    assertThat(ArgumentSchema.validate(SEARCH, json("{\"repo\":\"acme/site\",\"limit\":\"ten\"}")))
        .singleElement().asString().startsWith("/limit: ").contains("string").contains("integer");
    assertThat(ArgumentSchema.validate(SEARCH, json("{\"repo\":\"acme/site\",\"order\":\"random\"}")))
        .singleElement().asString().startsWith("/order: must be one of").contains("asc");
    assertThat(ArgumentSchema.validate(SEARCH, json("{\"repo\":\"ac\"}")))
        .contains("/repo: must be at least 3 characters long");
    assertThat(ArgumentSchema.validate(SEARCH, json("{\"repo\":\"../../etc/passwd\"}")))
        .containsExactly("/repo: must match the pattern ^[a-z0-9-]+/[a-z0-9-]+$");
  }

  @Test
  void nestedFailuresPointIntoTheTree() {
    assertThat(ArgumentSchema.validate(SEARCH, json("{\"repo\":\"a/b\",\"filter\":{\"labels\":[\"x\",2]}}")))
        .singleElement().asString().startsWith("/filter/labels/1: ");
    assertThat(ArgumentSchema.validate(SEARCH, json("{\"repo\":\"a/b\",\"filter\":{\"extra\":1}}")))
        .containsExactlyInAnyOrder("/filter/labels: is required", "/filter/extra: is not allowed");
    assertThat(ArgumentSchema.validate(SEARCH, json("{\"repo\":\"a/b\",\"filter\":{\"labels\":[\"a\",\"b\",\"c\"]}}")))
        .containsExactly("/filter/labels: must have at most 2 items");
  }

  @Test
  void keysWithSlashesAreEscaped() {
    JsonNode schema = json("{\"properties\":{\"a/b\":{\"type\":\"string\"}}}");
    assertThat(ArgumentSchema.validate(schema, json("{\"a/b\":1}"))).singleElement().asString().startsWith("/a~1b: ");
  }

  @Test
  void absentArgumentsAreAnEmptyObject() {
    assertThat(ArgumentSchema.validate(SEARCH, null)).containsExactly("/repo: is required");
    assertThat(ArgumentSchema.validate(json("{\"type\":\"object\"}"), null)).isEmpty();
  }

  @Test
  void dialectFollowsDollarSchemaAndDefaultsTo202012() {
    // prefixItems exists in 2020-12 only; draft-07 ignores it as an unknown keyword.
    String body = "\"type\":\"array\",\"prefixItems\":[{\"type\":\"string\"}]";
    JsonNode modern = json("{" + body + "}");
    JsonNode draft07 = json("{\"$schema\":\"http://json-schema.org/draft-07/schema#\"," + body + "}");
    JsonNode explicit202012 = json("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\"," + body + "}");
    JsonNode numberFirst = json("[1]");
    assertThat(ArgumentSchema.validate(modern, numberFirst)).singleElement().asString().startsWith("/0: ");
    assertThat(ArgumentSchema.validate(explicit202012, numberFirst)).singleElement().asString().startsWith("/0: ");
    assertThat(ArgumentSchema.validate(draft07, numberFirst)).isEmpty();

    // and the array form of items is draft-07 only
    JsonNode tuple07 = json("{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"items\":[{\"type\":\"string\"}],"
        + "\"additionalItems\":false}");
    assertThat(ArgumentSchema.validate(tuple07, json("[\"a\",\"b\"]"))).singleElement().asString()
        .contains("additional items");
    assertThat(ArgumentSchema.validate(json("{\"items\":[{\"type\":\"string\"}]}"), json("[\"a\"]")))
        .singleElement().asString().startsWith("(root): inputSchema does not compile");
  }

  @Test
  void remoteReferencesAreNeverFetched() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      AtomicInteger connections = new AtomicInteger();
      Thread accept = new Thread(() -> serveOneSchemaForever(server, connections));
      accept.setDaemon(true);
      accept.start();
      String base = "http://127.0.0.1:" + server.getLocalPort();

      JsonNode ref = json("{\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":\"" + base + "/x.json\"}}}");
      JsonNode meta = json("{\"$schema\":\"" + base + "/meta\",\"type\":\"object\"}");
      assertThat(ArgumentSchema.validate(ref, json("{\"x\":1}")))
          .singleElement().asString().startsWith("(root): inputSchema does not compile");
      assertThat(ArgumentSchema.validate(meta, json("{}")))
          .singleElement().asString().startsWith("(root): inputSchema does not compile: unknown $schema");
      assertThat(connections).hasValue(0);
    }
  }

  /** Answers every connection with a valid schema, so a fetch would succeed if one were attempted. */
  private static void serveOneSchemaForever(ServerSocket server, AtomicInteger connections) {
    try {
      while (true) {
        try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
          connections.incrementAndGet();
          out.write("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"type\":\"string\"}"
              .getBytes(StandardCharsets.US_ASCII));
        }
      }
    } catch (IOException closed) {
      // the test closed the server socket
    }
  }

  @Test
  void aSchemaThatDoesNotCompileIsOneError() {
    List<String> badType = ArgumentSchema.validate(json("{\"type\":12}"), json("{}"));
    assertThat(badType).singleElement().asString().startsWith("(root): inputSchema does not compile: ")
        .contains("/type");
    assertThat(ArgumentSchema.validate(json("{\"$ref\":\"#/$defs/missing\"}"), json("{}")))
        .singleElement().asString().startsWith("(root): inputSchema does not compile");
    // look-ahead is not RE2: refused, not run on a backtracking engine
    assertThat(ArgumentSchema.validate(json("{\"pattern\":\"^(?=a)\"}"), json("\"a\"")))
        .singleElement().asString().startsWith("(root): inputSchema does not compile");
    assertThat(ArgumentSchema.validate(json("\"not a schema\""), json("{}")))
        .singleElement().asString().startsWith("(root): inputSchema does not compile");
    assertThat(ArgumentSchema.validate(null, json("{}"))).containsExactly("(root): the tool has no inputSchema");
  }

  @Test
  void aCatastrophicPatternRunsInLinearTime() {
    JsonNode schema = json("{\"type\":\"string\",\"pattern\":\"^(a+)+$\"}");
    String text = "a".repeat(100_000) + "!";
    long start = System.nanoTime();
    List<String> errors = ArgumentSchema.validate(schema, JSON.getNodeFactory().stringNode(text));
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
    assertThat(errors).singleElement().asString().startsWith("(root): must match the pattern");
  }

  @Test
  void compiledSchemasAreCachedByContent() {
    JsonNode schema = json("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"maximum\":7}}}");
    ArgumentSchema.validate(schema, json("{\"n\":1}"));
    long after = ArgumentSchema.compilations();
    // an equal schema parsed separately is the same entry; a different one compiles
    assertThat(ArgumentSchema.validate(json(schema.toString()), json("{\"n\":8}")))
        .containsExactly("/n: must be at most 7");
    assertThat(ArgumentSchema.compilations()).isEqualTo(after);
    ArgumentSchema.validate(json("{\"type\":\"object\",\"properties\":{\"n\":{\"maximum\":8}}}"), json("{}"));
    assertThat(ArgumentSchema.compilations()).isEqualTo(after + 1);
  }

  @Test
  void cachedEntriesDoNotChangeWhenTheCallerMutatesItsSchema() {
    ObjectNode schema = (ObjectNode) json("{\"properties\":{\"n\":{\"maximum\":3}}}");
    assertThat(ArgumentSchema.validate(schema, json("{\"n\":4}"))).containsExactly("/n: must be at most 3");
    ((ObjectNode) schema.at("/properties/n")).put("maximum", 5);
    assertThat(ArgumentSchema.validate(schema, json("{\"n\":4}"))).isEmpty();
  }

  @Test
  void oversizedOrDeepArgumentsAreRefusedWithOneError() {
    JsonNode open = json("{}");
    ObjectNode big = JsonNodeFactory.instance.objectNode();
    big.put("blob", "x".repeat((int) ArgumentSchema.MAX_ARGUMENT_CHARS));
    assertThat(ArgumentSchema.validate(open, big)).containsExactly("(root): larger than 4 MiB");

    JsonNode deep = JsonNodeFactory.instance.stringNode("leaf");
    for (int i = 0; i <= ArgumentSchema.MAX_DEPTH; i++) {
      ArrayNode wrap = JsonNodeFactory.instance.arrayNode();
      wrap.add(deep);
      deep = wrap;
    }
    assertThat(ArgumentSchema.validate(open, deep)).containsExactly("(root): nested deeper than 64 levels");
    JsonNode atLimit = deep.get(0);
    assertThat(ArgumentSchema.validate(open, atLimit)).isEmpty();
  }

  @Test
  void manyErrorsAreCapped() {
    ArrayNode items = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < 50; i++) {
      items.add(i);
    }
    List<String> errors = ArgumentSchema.validate(json("{\"items\":{\"type\":\"string\"}}"), items);
    assertThat(errors).hasSize(ArgumentSchema.MAX_ERRORS + 1).last().isEqualTo("(root): and 30 more errors");
  }
}
