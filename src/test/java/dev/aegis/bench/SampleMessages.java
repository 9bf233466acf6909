package dev.aegis.bench;

import java.nio.charset.StandardCharsets;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The messages the benchmarks push around, as bytes on the wire: a tools/call of an echo tool and its result as the
 * TypeScript SDK and server-everything send them (~200 bytes each), and a tools/list result with 100 tools whose
 * input schemas look like real ones (~80 KB).
 */
public final class SampleMessages {
  private SampleMessages() {}

  /** A tools/call request as the official TypeScript client writes it (key order included). */
  public static final byte[] TOOLS_CALL = utf8("{\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":"
      + "{\"message\":\"summarise the open pull requests for the payments service, newest first\"},"
      + "\"_meta\":{\"progressToken\":1234}},\"jsonrpc\":\"2.0\",\"id\":1234}");

  /** server-everything's answer to it. */
  public static final byte[] ECHO_RESULT = utf8("{\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"Echo: "
      + "summarise the open pull requests for the payments service, newest first\"}]},\"jsonrpc\":\"2.0\","
      + "\"id\":1234}");

  /** A tools/list result with {@code tools} tools, each with a description and a 2020-12 input schema. */
  public static byte[] toolsListResult(int tools) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode response = json.objectNode();
    response.put("jsonrpc", "2.0");
    response.put("id", 2);
    ArrayNode list = response.putObject("result").putArray("tools");
    for (int i = 0; i < tools; i++) {
      ObjectNode tool = list.addObject();
      tool.put("name", "tool_" + i + "_search_records");
      tool.put("title", "Search records " + i);
      tool.put("description", "Searches the records of collection " + i + " by a free-text query and optional"
          + " filters, and returns at most `limit` matches, newest first. Use it before writing anything.");
      ObjectNode schema = tool.putObject("inputSchema");
      schema.put("type", "object");
      schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
      ObjectNode props = schema.putObject("properties");
      ObjectNode query = props.putObject("query");
      query.put("type", "string");
      query.put("description", "Free text to look for");
      query.put("minLength", 1);
      ObjectNode limit = props.putObject("limit");
      limit.put("type", "integer");
      limit.put("minimum", 1);
      limit.put("maximum", 100);
      limit.put("default", 20);
      ObjectNode since = props.putObject("since");
      since.put("type", "string");
      since.put("format", "date-time");
      since.put("description", "Only records changed after this instant");
      ObjectNode tags = props.putObject("tags");
      tags.put("type", "array");
      tags.putObject("items").put("type", "string");
      ObjectNode order = props.putObject("order");
      order.put("type", "string");
      order.putArray("enum").add("newest").add("oldest").add("relevance");
      schema.putArray("required").add("query");
      schema.put("additionalProperties", false);
      ObjectNode annotations = tool.putObject("annotations");
      annotations.put("readOnlyHint", true);
      annotations.put("openWorldHint", false);
    }
    return JsonMapper.builder().build().writeValueAsBytes(response);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
