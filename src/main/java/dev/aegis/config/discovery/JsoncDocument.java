package dev.aegis.config.discovery;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A host's configuration file as read: its exact text, the tree, and where each object sits in the text, so an edit
 * can replace one server entry and leave every other byte (comments and trailing commas included: VS Code allows
 * JSONC) as it was.
 *
 * <pre>{@code
 * JsoncDocument d = JsoncDocument.parse(Files.readAllBytes(file));
 * Span s = d.span("/mcpServers/github");   // the characters of that entry's {...}
 * }</pre>
 */
public final class JsoncDocument {
  static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_TRAILING_COMMA)
      .build();

  /** The characters {@code [start, end)} of a value in {@link #text()}. */
  public record Span(int start, int end) {
    public Span {
      if (start < 0 || end < start) {
        throw new IllegalArgumentException("bad span " + start + ".." + end);
      }
    }
  }

  private final String text;
  private final JsonNode root;
  private final Map<String, Span> objects;

  private JsoncDocument(String text, JsonNode root, Map<String, Span> objects) {
    this.text = text;
    this.root = root;
    this.objects = objects;
  }

  /** Reads UTF-8 JSON with comments; throws {@link IllegalArgumentException} with line and column if it is not. */
  public static JsoncDocument parse(byte[] bytes) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("not UTF-8 text");
    }
    int skip = text.startsWith("\uFEFF") ? 1 : 0;
    String body = text.substring(skip);
    Map<String, Span> objects = new HashMap<>();
    try (JsonParser p = MAPPER.createParser(body)) {
      Deque<String> pointers = new ArrayDeque<>();
      Deque<Integer> starts = new ArrayDeque<>();
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.START_OBJECT) {
          pointers.push(p.streamReadContext().pathAsPointer().toString());
          starts.push((int) p.currentTokenLocation().getCharOffset());
        } else if (t == JsonToken.END_OBJECT) {
          int end = (int) p.currentTokenLocation().getCharOffset() + 1;
          objects.putIfAbsent(pointers.pop(), new Span(starts.pop() + skip, end + skip));
        }
      }
      JsonNode root = body.isBlank() ? null : MAPPER.readTree(body);
      return new JsoncDocument(text, root, objects);
    } catch (JacksonException e) {
      var at = e.getLocation();
      throw new IllegalArgumentException((at == null ? "" : at.getLineNr() + ":" + at.getColumnNr() + ": ")
          + "not valid JSON: " + e.getOriginalMessage());
    }
  }

  public String text() {
    return text;
  }

  /** The parsed tree; null for an empty file. */
  public JsonNode root() {
    return root;
  }

  /** Where the object at this JSON pointer ({@code /mcpServers/github}) is; null if there is none. */
  public Span span(String pointer) {
    return objects.get(pointer);
  }

  /** A JSON pointer from keys, escaped as RFC 6901 says. */
  static String pointer(Iterable<String> keys) {
    StringBuilder b = new StringBuilder();
    for (String k : keys) {
      b.append('/').append(k.replace("~", "~0").replace("/", "~1"));
    }
    return b.toString();
  }
}
