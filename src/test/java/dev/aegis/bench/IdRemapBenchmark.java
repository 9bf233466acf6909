package dev.aegis.bench;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Id remapping, which every forwarded call pays twice: the request gets the upstream's fresh id
 * ({@link Request#withId}), the response gets the host's id back ({@link Response#withId}). Each is a shallow copy
 * of the envelope plus a new id node. The ids count up, as the gateway's do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IdRemapBenchmark {
  private Request request;
  private Response response;
  private long next;

  @Setup
  public void setup() throws ProtocolException {
    Codec codec = new Codec(4 << 20);
    request = (Request) codec.decodeOne(SampleMessages.TOOLS_CALL);
    response = (Response) codec.decodeOne(SampleMessages.ECHO_RESULT);
  }

  @Benchmark
  public Request requestWithId() {
    return request.withId(RequestId.of(++next));
  }

  @Benchmark
  public Response responseWithId() {
    return response.withId(RequestId.of(++next));
  }
}
