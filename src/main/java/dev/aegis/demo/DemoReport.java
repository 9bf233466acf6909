package dev.aegis.demo;

import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Renders the demo's results: a readable table, or {@code {"attacks":[{"id","name","stopped","how"}]}}. */
public final class DemoReport {
  private DemoReport() {}

  public static String json(List<Demo.Result> results) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode attacks = root.putArray("attacks");
    for (Demo.Result r : results) {
      attacks.addObject().put("id", r.id()).put("name", r.name()).put("stopped", r.stopped()).put("how", r.how());
    }
    return JsonMapper.builder().build().writeValueAsString(root);
  }

  public static String table(List<Demo.Result> results) {
    StringBuilder sb = new StringBuilder();
    sb.append("| attack | what it tried | what happened | stopped? |\n");
    sb.append("|---|---|---|---|\n");
    for (Demo.Result r : results) {
      sb.append("| ").append(cell(r.name())).append(" | ").append(cell(r.tried())).append(" | ")
          .append(cell(r.happened())).append(" | ").append(r.stopped() ? "STOPPED" : "NOT STOPPED").append(": ")
          .append(cell(r.how().replaceFirst("^(not )?stopped:? ?", ""))).append(" |\n");
    }
    long stopped = results.stream().filter(Demo.Result::stopped).count();
    sb.append('\n').append(stopped).append(" of ").append(results.size()).append(" attacks stopped.\n");
    return sb.toString();
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
