package dev.aegis.cli;

import dev.aegis.policy.Policy;
import dev.aegis.policy.PolicyException;
import dev.aegis.policy.PolicyRequest;
import dev.aegis.policy.Verdict;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code aegis policy}: work with access-control policies (see docs/policy.md). {@code test} runs a file of cases
 * against a policy, the way a firewall change is checked before it ships.
 *
 * <pre>{@code
 * aegis policy test policy.yaml cases.yaml
 * # cases.yaml:
 * # cases:
 * #   - {name: alice reads, principal: alice, server: github, tool: get_issue, args: {repo: acme/x}, expect: allow}
 * }</pre>
 */
@Command(name = "policy", mixinStandardHelpOptions = true,
    description = "Check access-control policies (docs/policy.md).")
final class PolicyCommand implements Runnable {
  @Spec
  CommandSpec spec;

  /** The command with its subcommands, wired explicitly. */
  static CommandLine commandLine() {
    return new CommandLine(new PolicyCommand()).addSubcommand("test", new Test());
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** {@code aegis policy test POLICY CASES}: exit 0 when every case passes, 1 when one fails, 2 for bad input. */
  @Command(name = "test", mixinStandardHelpOptions = true,
      description = "Run CASES (YAML: cases: [{name, principal, groups, server, tool, method, args, labels, expect,"
          + " rule}]) against POLICY; one PASS/FAIL line per case. Exit 0 all pass, 1 some fail, 2 bad input.")
  static final class Test implements Callable<Integer> {
    private static final Set<String> CASE_KEYS = Set.of("name", "principal", "groups", "server", "tool", "method",
        "args", "labels", "expect", "rule");
    private static final int MAX_CASES_BYTES = 16 * 1024 * 1024;

    @Parameters(index = "0", paramLabel = "POLICY", description = "The policy file.")
    Path policyFile;

    @Parameters(index = "1", paramLabel = "CASES", description = "The cases file.")
    Path casesFile;

    /** Where results and errors go; a test may replace them. */
    PrintStream out = System.out;
    PrintStream err = System.err;

    /** One parsed case. */
    record Case(String name, PolicyRequest request, Verdict.Effect expect, String rule) {}

    @Override
    public Integer call() {
      Policy policy;
      List<Case> cases;
      try {
        policy = Policy.parse(policyFile.toString(), Files.readString(policyFile));
      } catch (PolicyException e) {
        e.errors().forEach(err::println);
        return 2;
      } catch (IOException e) {
        err.println(policyFile + ": cannot read: " + e.getMessage());
        return 2;
      }
      List<String> errors = new ArrayList<>();
      cases = cases(errors);
      if (!errors.isEmpty()) {
        errors.forEach(err::println);
        return 2;
      }
      int failed = 0;
      for (Case c : cases) {
        Verdict v = policy.decide(c.request());
        boolean pass = v.effect() == c.expect() && (c.rule() == null || c.rule().equals(v.ruleId()));
        failed += pass ? 0 : 1;
        String got = name(v.effect()) + " (rule " + v.ruleId() + ")";
        out.println(pass ? "PASS " + c.name() + ": " + got : "FAIL " + c.name() + ": expected " + name(c.expect())
            + (c.rule() == null ? "" : " (rule " + c.rule() + ")") + ", got " + got + ": " + v.reason());
      }
      out.println((cases.size() - failed) + " passed, " + failed + " failed");
      out.flush();
      return failed == 0 ? 0 : 1;
    }

    private static String name(Verdict.Effect e) {
      return e.name().toLowerCase(Locale.ROOT);
    }

    private List<Case> cases(List<String> errors) {
      List<Case> out = new ArrayList<>();
      String text;
      try {
        if (Files.size(casesFile) > MAX_CASES_BYTES) {
          errors.add(casesFile + ": larger than 16 MiB");
          return out;
        }
        text = Files.readString(casesFile);
      } catch (IOException e) {
        errors.add(casesFile + ": cannot read: " + e.getMessage());
        return out;
      }
      YAMLMapper yaml = new YAMLMapper();
      Map<String, TokenStreamLocation> at = new HashMap<>();
      JsonNode root;
      try (JsonParser p = yaml.createParser(text)) {
        JsonToken t;
        while ((t = p.nextToken()) != null) {
          if (t != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
            at.putIfAbsent(p.streamReadContext().pathAsPointer().toString(), p.currentTokenLocation());
          }
        }
        root = yaml.readTree(text);
      } catch (JacksonException e) {
        TokenStreamLocation l = e.getLocation();
        errors.add(casesFile + (l == null ? "" : ":" + l.getLineNr() + ":" + l.getColumnNr()) + ": not valid YAML: "
            + e.getOriginalMessage());
        return out;
      }
      JsonNode list = root == null ? null : root.get("cases");
      if (list == null || !list.isArray()) {
        errors.add(casesFile + where(at, "") + ": expected 'cases:' with a list of cases");
        return out;
      }
      for (int i = 0; i < list.size(); i++) {
        String ptr = "/cases/" + i;
        JsonNode c = list.get(i);
        if (!c.isObject()) {
          errors.add(casesFile + where(at, ptr) + ": a case is a mapping with name, principal, server, tool and expect");
          continue;
        }
        int before = errors.size();
        for (String key : c.propertyNames()) {
          if (!CASE_KEYS.contains(key)) {
            errors.add(casesFile + where(at, ptr + "/" + key) + ": unknown key '" + key + "' in a case");
          }
        }
        String name = text(c, "name", ptr, at, errors, true);
        String principal = text(c, "principal", ptr, at, errors, true);
        String server = text(c, "server", ptr, at, errors, true);
        String tool = text(c, "tool", ptr, at, errors, true);
        String method = text(c, "method", ptr, at, errors, false);
        String expect = text(c, "expect", ptr, at, errors, true);
        String rule = text(c, "rule", ptr, at, errors, false);
        Verdict.Effect effect = null;
        if (expect != null) {
          try {
            effect = Verdict.Effect.valueOf(expect.trim().toUpperCase(Locale.ROOT));
          } catch (IllegalArgumentException e) {
            errors.add(casesFile + where(at, ptr + "/expect") + ": 'expect' must be allow, deny, ask or redact");
          }
        }
        List<String> groups = strings(c, "groups", ptr, at, errors);
        List<String> labels = strings(c, "labels", ptr, at, errors);
        JsonNode args = c.get("args");
        if (args != null && !args.isObject() && !args.isNull()) {
          errors.add(casesFile + where(at, ptr + "/args") + ": 'args' must be a mapping");
        }
        if (errors.size() == before) {
          out.add(new Case(name, new PolicyRequest(principal, groups, server, tool, method, args, labels), effect,
              rule));
        }
      }
      return out;
    }

    private String text(JsonNode c, String key, String ptr, Map<String, TokenStreamLocation> at,
        List<String> errors, boolean required) {
      JsonNode v = c.get(key);
      if (v == null || v.isNull()) {
        if (required) {
          errors.add(casesFile + where(at, ptr) + ": a case needs '" + key + "'");
        }
        return null;
      }
      if (!v.isValueNode()) {
        errors.add(casesFile + where(at, ptr + "/" + key) + ": '" + key + "' must be a string");
        return null;
      }
      return v.asString();
    }

    private List<String> strings(JsonNode c, String key, String ptr, Map<String, TokenStreamLocation> at,
        List<String> errors) {
      JsonNode v = c.get(key);
      List<String> out = new ArrayList<>();
      if (v == null || v.isNull()) {
        return out;
      }
      if (!v.isArray()) {
        errors.add(casesFile + where(at, ptr + "/" + key) + ": '" + key + "' must be a list of strings");
        return out;
      }
      for (JsonNode s : v) {
        out.add(s.asString());
      }
      return out;
    }

    private static String where(Map<String, TokenStreamLocation> at, String pointer) {
      TokenStreamLocation l = at.get(pointer);
      String p = pointer;
      while (l == null && !p.isEmpty()) {
        p = p.substring(0, Math.max(0, p.lastIndexOf('/')));
        l = at.get(p);
      }
      return l == null ? "" : ":" + l.getLineNr() + ":" + l.getColumnNr();
    }
  }
}
