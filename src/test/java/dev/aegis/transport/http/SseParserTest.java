package dev.aegis.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
  private final List<String> seen = new ArrayList<>();
  private final SseParser parser = new SseParser(32, new SseParser.Listener() {
    @Override
    public void event(String id, String type, byte[] data, int length) {
      seen.add(id + "|" + type + "|" + new String(data, 0, length, StandardCharsets.UTF_8));
    }

    @Override
    public void oversize(long bytes) {
      seen.add("oversize " + bytes);
    }

    @Override
    public void retry(long millis) {
      seen.add("retry " + millis);
    }
  });

  private void feed(String s) {
    parser.feed(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void parsesFieldsCommentsAndEveryLineEnding() {
    feed(": comment\r\nid: 7\r\nevent: endpoint\r\ndata: /m?s=1\r\n\r\n");
    feed("data: a\rdata:b\r\rdata: {\"x\":1}\n\n");
    feed("retry: 250\n\n");
    assertThat(seen).containsExactly("7|endpoint|/m?s=1", "7|message|a\nb", "7|message|{\"x\":1}", "retry 250");
  }

  @Test
  void handlesBytesSplitAnywhere() {
    String stream = "id: 1\r\ndata: héllo\r\n\r\nid: 2\ndata: two\n\n";
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      parser.feed(ByteBuffer.wrap(new byte[] {b}));
    }
    assertThat(seen).containsExactly("1|message|héllo", "2|message|two");
    assertThat(parser.lastId()).isEqualTo("2");
  }

  @Test
  void oversizeEventIsSkippedAndTheStreamGoesOn() {
    feed("data: " + "x".repeat(20) + "\ndata: " + "y".repeat(20) + "\n\n");
    feed("data: " + "z".repeat(500) + "\n\n");
    feed("data: ok\n\n");
    assertThat(seen).hasSize(3);
    assertThat(seen.get(0)).startsWith("oversize");
    assertThat(seen.get(1)).startsWith("oversize");
    assertThat(seen.get(2)).isEqualTo("null|message|ok");
  }
}
