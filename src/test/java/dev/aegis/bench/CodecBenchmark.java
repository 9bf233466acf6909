package dev.aegis.bench;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.ProtocolException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Bytes to messages and back with the gateway's {@link Codec}: what every message pays once on the way in
 * ({@code decode*}) and once on the way out ({@code encode*}). The encode benchmarks start from a decoded message,
 * as the gateway does when it forwards one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
  private final Codec codec = new Codec(4 << 20);
  private byte[] toolsCall;
  private byte[] echoResult;
  private byte[] toolsList;
  private Message toolsCallMessage;
  private Message echoResultMessage;
  private Message toolsListMessage;

  @Setup
  public void setup() throws ProtocolException {
    toolsCall = SampleMessages.TOOLS_CALL;
    echoResult = SampleMessages.ECHO_RESULT;
    toolsList = SampleMessages.toolsListResult(100);
    toolsCallMessage = codec.decodeOne(toolsCall);
    echoResultMessage = codec.decodeOne(echoResult);
    toolsListMessage = codec.decodeOne(toolsList);
  }

  @Benchmark
  public List<Message> decodeToolsCall() throws ProtocolException {
    return codec.decode(toolsCall, 0, toolsCall.length);
  }

  @Benchmark
  public byte[] encodeToolsCall() {
    return codec.encode(toolsCallMessage);
  }

  @Benchmark
  public List<Message> decodeEchoResult() throws ProtocolException {
    return codec.decode(echoResult, 0, echoResult.length);
  }

  @Benchmark
  public byte[] encodeEchoResult() {
    return codec.encode(echoResultMessage);
  }

  @Benchmark
  public List<Message> decodeToolsList100() throws ProtocolException {
    return codec.decode(toolsList, 0, toolsList.length);
  }

  @Benchmark
  public byte[] encodeToolsList100() {
    return codec.encode(toolsListMessage);
  }
}
