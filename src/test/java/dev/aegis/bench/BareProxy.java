package dev.aegis.bench;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cheapest stdio proxy Java can be: the baseline a gateway is measured against. Starts the command as a child
 * and forwards its stdin and stdout with one platform thread per direction, no chain, no routing, no logging.
 *
 * <pre>
 * java -cp ... dev.aegis.bench.BareProxy raw     node server.js stdio   # bytes as they come, no parsing
 * java -cp ... dev.aegis.bench.BareProxy jackson node server.js stdio   # per line: readTree, then write it again
 * java -cp ... dev.aegis.bench.BareProxy spin    node server.js stdio   # raw, but polls up to 300 us before a read
 * </pre>
 *
 * Each message goes out in one write and one flush (line and newline together). {@code bench/peers.sh} runs raw and
 * jackson next to the gateway when {@code BASELINE=1}. {@code spin} is an experiment: it tells how much of a hop's
 * cost is the reader thread's sleep and wake-up, by polling {@code available()} for a while before a blocking read.
 */
public final class BareProxy {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private BareProxy() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || !List.of("raw", "jackson", "spin").contains(args[0])) {
      System.err.println("usage: BareProxy raw|jackson|spin COMMAND [ARGS...]");
      System.exit(2);
    }
    boolean parse = args[0].equals("jackson");
    boolean spin = args[0].equals("spin");
    Process child = new ProcessBuilder(List.of(args).subList(1, args.length))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    OutputStream hostOut = new FileOutputStream(FileDescriptor.out);
    Thread up = new Thread(() -> pump(System.in, child.getOutputStream(), parse, spin), "to-child");
    up.setDaemon(true);
    up.start();
    pump(child.getInputStream(), hostOut, parse, spin);
    child.destroy();
  }

  private static void pump(InputStream in, OutputStream out, boolean parse, boolean spin) {
    try (in; out) {
      if (parse) {
        pumpLines(in, out);
      } else {
        byte[] buf = new byte[64 * 1024];
        while (true) {
          if (spin) {
            awaitInput(in);
          }
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          out.write(buf, 0, n);
          out.flush();
        }
      }
    } catch (IOException e) {
      // the other side is gone
    }
  }

  /** Polls for up to 300 us for bytes to arrive, so that a read that follows soon after does not sleep. */
  private static void awaitInput(InputStream in) throws IOException {
    long deadline = System.nanoTime() + 300_000;
    while (in.available() == 0 && System.nanoTime() - deadline < 0) {
      Thread.onSpinWait();
    }
  }

  /** Splits on newlines, parses each line into a tree and writes the tree back out, newline included. */
  private static void pumpLines(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[64 * 1024];
    byte[] line = new byte[16 * 1024];
    int lineLength = 0;
    int n;
    while ((n = in.read(buf)) >= 0) {
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (buf[i] != '\n') {
          continue;
        }
        line = append(line, lineLength, buf, start, i - start);
        lineLength += i - start;
        if (lineLength > 0) {
          JsonNode tree = MAPPER.readTree(line, 0, lineLength);
          byte[] bytes = MAPPER.writeValueAsBytes(tree);
          byte[] framed = Arrays.copyOf(bytes, bytes.length + 1);
          framed[bytes.length] = '\n';
          out.write(framed);
          out.flush();
        }
        lineLength = 0;
        start = i + 1;
      }
      line = append(line, lineLength, buf, start, n - start);
      lineLength += n - start;
    }
  }

  private static byte[] append(byte[] line, int length, byte[] from, int offset, int n) {
    byte[] target = length + n > line.length ? Arrays.copyOf(line, Math.max(line.length * 2, length + n)) : line;
    System.arraycopy(from, offset, target, length, n);
    return target;
  }
}
