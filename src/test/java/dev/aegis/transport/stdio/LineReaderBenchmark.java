package dev.aegis.transport.stdio;

import dev.aegis.bench.SampleMessages;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Splitting the stdio byte stream into lines with {@link LineReader} (package-private, hence this package), in
 * steady state: one long-lived reader over a stream that repeats one line forever. Each read returns at most one
 * line, as a pipe does when requests and responses alternate; the 80 KB tools/list line arrives in 16 KB reads.
 * One operation is one line.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LineReaderBenchmark {

  @Param({"toolsCall", "toolsList100"})
  public String line;

  private LineReader reader;

  @Setup
  public void setup() {
    byte[] body = line.equals("toolsCall") ? SampleMessages.TOOLS_CALL : SampleMessages.toolsListResult(100);
    byte[] withNewline = Arrays.copyOf(body, body.length + 1);
    withNewline[body.length] = '\n';
    reader = new LineReader(new RepeatingStream(withNewline), 4 << 20);
  }

  @Benchmark
  public void next(Blackhole bh) throws IOException {
    bh.consume(reader.next());
    bh.consume(reader.length());
  }

  /** An endless stream of one chunk, repeated; a read never crosses the chunk's end. */
  static final class RepeatingStream extends InputStream {
    private final byte[] chunk;
    private int pos;

    RepeatingStream(byte[] chunk) {
      this.chunk = chunk;
    }

    @Override
    public int read() {
      int b = chunk[pos] & 0xff;
      pos = (pos + 1) % chunk.length;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      int n = Math.min(len, chunk.length - pos);
      System.arraycopy(chunk, pos, b, off, n);
      pos = (pos + n) % chunk.length;
      return n;
    }
  }
}
