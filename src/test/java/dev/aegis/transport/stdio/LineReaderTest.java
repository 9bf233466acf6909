package dev.aegis.transport.stdio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineReaderTest {

  /** Hands out its bytes a few at a time (1 to 3 per read, seeded), as a slow pipe does. */
  static final class TrickleStream extends InputStream {
    private final byte[] bytes;
    private final Random random;
    private int pos;
    int reads;

    TrickleStream(String text, long seed) {
      this.bytes = text.getBytes(StandardCharsets.UTF_8);
      this.random = new Random(seed);
    }

    @Override
    public int read() {
      return pos < bytes.length ? bytes[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      reads++;
      if (pos >= bytes.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, 1 + random.nextInt(3)), bytes.length - pos);
      System.arraycopy(bytes, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  /** Reads every result until end of stream: each line as text, an oversize line as "<OVERSIZE n>". */
  private static List<String> readAll(LineReader reader) throws IOException {
    List<String> out = new ArrayList<>();
    byte[] line;
    while ((line = reader.next()) != null) {
      if (line == LineReader.OVERSIZE) {
        out.add("<OVERSIZE " + reader.lastOversize() + ">");
      } else {
        out.add(new String(line, 0, reader.length(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static LineReader over(String text, int maxLine) {
    return new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), maxLine);
  }

  @Test
  void linesSplitAcrossManyTinyReadsComeOutWhole() throws IOException {
    String a = "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"params\":{\"text\":\"héllo wörld\"}}";
    String b = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"b\"}";
    for (long seed = 0; seed < 20; seed++) {
      TrickleStream in = new TrickleStream(a + "\n" + b + "\n", seed);

      assertThat(readAll(new LineReader(in, 1024))).as("seed %d", seed).containsExactly(a, b);
      assertThat(in.reads).isGreaterThan((a.length() + b.length()) / 3);
    }
  }

  @Test
  void crlfEndingsAreStripped() throws IOException {
    assertThat(readAll(over("one\r\ntwo\r\n", 100))).containsExactly("one", "two");
  }

  @Test
  void crlfSplitBetweenReadsIsStripped() throws IOException {
    for (long seed = 0; seed < 10; seed++) {
      assertThat(readAll(new LineReader(new TrickleStream("ab\r\ncd\r\n\r\nef\r\n", seed), 100)))
          .containsExactly("ab", "cd", "ef");
    }
  }

  @Test
  void blankAndWhitespaceOnlyLinesAreSkipped() throws IOException {
    assertThat(readAll(over("\n\none\n \t\n\r\n\ntwo\n\n", 100))).containsExactly("one", "two");
  }

  @Test
  void oversizeLineIsReportedAndTheNextLineStillReads() throws IOException {
    String huge = "x".repeat(5000);

    assertThat(readAll(over("short\n" + huge + "\nafter\n", 100)))
        .containsExactly("short", "<OVERSIZE 5000>", "after");
  }

  @Test
  void oversizeLineArrivingInTinyReadsIsReportedAndTheNextLineStillReads() throws IOException {
    String huge = "y".repeat(300);

    assertThat(readAll(new LineReader(new TrickleStream(huge + "\n{\"ok\":1}\n", 7), 64)))
        .containsExactly("<OVERSIZE 300>", "{\"ok\":1}");
  }

  @Test
  void oversizeLineLongerThanTheReadBufferIsSkippedNotBuffered() throws IOException {
    String huge = "z".repeat(100_000);

    assertThat(readAll(over(huge + "\nnext\n", 1000))).containsExactly("<OVERSIZE 100000>", "next");
  }

  @Test
  void unterminatedOversizeLineAtEndIsReportedThenEof() throws IOException {
    assertThat(readAll(over("ok\n" + "q".repeat(50), 10))).containsExactly("ok", "<OVERSIZE 50>");
  }

  @Test
  void lineExactlyAtTheLimitIsReturned() throws IOException {
    assertThat(readAll(over("0123456789\n0123456789A\n", 10)))
        .containsExactly("0123456789", "<OVERSIZE 11>");
  }

  @Test
  void lineExactlyAtTheLimitWithCrlfIsReturned() throws IOException {
    // the CR is line ending, not content: a message of exactly the limit must not be refused for its CRLF
    assertThat(readAll(over("0123456789\r\n", 10))).containsExactly("0123456789");
  }

  @Test
  void finalLineWithoutNewlineIsReturned() throws IOException {
    assertThat(readAll(over("first\nlast", 100))).containsExactly("first", "last");
    assertThat(readAll(new LineReader(new TrickleStream("first\nlast", 3), 100))).containsExactly("first", "last");
  }

  @Test
  void endOfStreamIsNullAndStaysNull() throws IOException {
    LineReader reader = over("only\n", 100);

    assertThat(new String(reader.next(), 0, reader.length(), StandardCharsets.UTF_8)).isEqualTo("only");
    assertThat(reader.next()).isNull();
    assertThat(reader.next()).isNull();
  }

  @Test
  void emptyStreamIsNullAtOnce() throws IOException {
    assertThat(over("", 100).next()).isNull();
    assertThat(over("\n\r\n  \n", 100).next()).isNull();
  }

  @Test
  void manyLinesInOneReadAllComeOutInOrder() throws IOException {
    StringBuilder text = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      String line = "{\"n\":" + i + ",\"pad\":\"" + "p".repeat(i % 37) + "\"}";
      expected.add(line);
      text.append(line).append(i % 2 == 0 ? "\n" : "\r\n");
    }

    assertThat(readAll(over(text.toString(), 200))).isEqualTo(expected);
  }

  @Test
  void lineGrowingPastItsInitialBufferKeepsEveryByte() throws IOException {
    byte[] big = new byte[50_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) ('a' + i % 26);
    }
    String line = new String(big, StandardCharsets.US_ASCII);

    LineReader reader = over(line + "\n", 64 * 1024);
    byte[] got = reader.next();

    assertThat(Arrays.copyOf(got, reader.length())).isEqualTo(big);
  }
}
