package dev.aegis.bench;

import dev.aegis.chain.Direction;
import dev.aegis.chain.Exchange;
import dev.aegis.chain.ExchangeListener;
import dev.aegis.chain.ExchangeLog;
import dev.aegis.chain.Interceptor;
import dev.aegis.chain.Pipeline;
import dev.aegis.chain.Reply;
import dev.aegis.chain.SessionInfo;
import dev.aegis.chain.Target;
import dev.aegis.protocol.Codec;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The interceptor chain's own cost per message: {@link Pipeline#send} of a tools/call through {@code guards}
 * pass-through interceptors to a terminal that answers at once, including the {@link Exchange} the gateway creates
 * per message and the listener call. {@code listener=log} uses the real {@link ExchangeLog} (its record is built on
 * the caller's thread; a background thread writes it to a temp file, and drops what it cannot keep up with).
 *
 * <p>The pass-through guards are eight distinct classes, as real guards are, so the call site that invokes them
 * sees as many receiver types as it would in the gateway.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PipelineBenchmark {
  private static final List<Interceptor> PASS_THROUGH = List.of(
      chain -> chain.proceed(chain.message()),
      chain -> chain.proceed(chain.message()),
      chain -> chain.proceed(chain.message()),
      chain -> chain.proceed(chain.message()),
      chain -> chain.proceed(chain.message()),
      chain -> chain.proceed(chain.message()),
      chain -> chain.proceed(chain.message()),
      chain -> chain.proceed(chain.message()));

  @Param({"0", "1", "8"})
  public int guards;

  @Param({"none", "log"})
  public String listener;

  private final SessionInfo session = new SessionInfo("0123456789abcdef", "stdio", "local");
  private final Target target = new Target("everything", "echo");
  private Pipeline pipeline;
  private Request request;
  private Path logDir;
  private ExchangeLog log;

  @Setup(Level.Trial)
  public void setup() throws ProtocolException, IOException {
    Codec codec = new Codec(4 << 20);
    request = (Request) codec.decodeOne(SampleMessages.TOOLS_CALL);
    Response answer = (Response) codec.decodeOne(SampleMessages.ECHO_RESULT);
    Interceptor terminal = chain -> Reply.of(answer);
    List<Interceptor> links = new ArrayList<>(PASS_THROUGH.subList(0, guards));
    links.add(terminal);
    ExchangeListener l = ExchangeListener.NONE;
    if (listener.equals("log")) {
      logDir = Files.createTempDirectory("aegis-bench-log");
      log = ExchangeLog.open(logDir.resolve("exchanges.jsonl"));
      l = log;
    }
    pipeline = new Pipeline(links, l);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (log != null) {
      log.close();
      Files.deleteIfExists(logDir.resolve("exchanges.jsonl"));
      Files.deleteIfExists(logDir);
    }
  }

  @Benchmark
  public Reply send() {
    Exchange exchange = new Exchange(session, Direction.TO_SERVER, request, target, System.nanoTime());
    return pipeline.send(exchange);
  }
}
