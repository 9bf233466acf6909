package dev.aegis.gateway;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.stdio.StdioServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import tools.jackson.databind.node.ObjectNode;

/**
 * A host on the other end of the gateway's real stdio transport, over OS pipes: sends lines, collects every message
 * the gateway writes, and waits for the ones a test expects (always with a deadline).
 */
final class FakeHost implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);
  private final Codec codec = new Codec(64 << 20);
  private final OutputStream toGateway;
  private final LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
  private final List<Message> unclaimed = new ArrayList<>();
  private final AtomicLong ids = new AtomicLong(1);
  private final Thread server;
  private final List<String> rawLines = new ArrayList<>();

  FakeHost(Gateway gateway) throws IOException {
    Pipe in = Pipe.open();
    Pipe out = Pipe.open();
    toGateway = Channels.newOutputStream(in.sink());
    StdioServer stdio = new StdioServer(Channels.newInputStream(in.source()), Channels.newOutputStream(out.sink()),
        gateway.codec(), gateway, line -> {});
    server = new Thread(() -> {
      try {
        stdio.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "fake-host-server");
    server.setDaemon(true);
    server.start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(out.source()),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (rawLines) {
            rawLines.add(line);
          }
          try {
            inbox.add(codec.decodeOne(line.getBytes(StandardCharsets.UTF_8)));
          } catch (ProtocolException e) {
            throw new IllegalStateException("gateway wrote an invalid line: " + line, e);
          }
        }
      } catch (IOException e) {
        // closed
      }
    }, "fake-host-reader");
    reader.setDaemon(true);
    reader.start();
  }

  void sendRaw(String line) throws IOException {
    synchronized (toGateway) {
      toGateway.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      toGateway.flush();
    }
  }

  void send(Message m) throws IOException {
    sendRaw(codec.encodeToString(m));
  }

  ObjectNode json(String text) {
    return (ObjectNode) codec.mapper().readTree(text);
  }

  /** Sends a request with a fresh numeric id and waits for its response. */
  Response request(String method, String paramsJson) throws Exception {
    RequestId id = RequestId.of(ids.getAndIncrement());
    send(Request.of(id, method, paramsJson == null ? null : json(paramsJson)));
    return responseTo(id, WAIT);
  }

  Response call(String tool, String argsJson) throws Exception {
    return request("tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + (argsJson == null ? "{}" : argsJson)
        + "}");
  }

  Response initialize() throws Exception {
    return request("initialize", "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"sampling\":{}},"
        + "\"clientInfo\":{\"name\":\"fake-host\",\"version\":\"1\"}}");
  }

  Response responseTo(RequestId id, Duration wait) throws InterruptedException {
    Message m = await(x -> x instanceof Response r && id.equals(r.id()), wait);
    return (Response) m;
  }

  /** The first message (already received or arriving before the deadline) that matches; null on timeout. */
  Message await(Predicate<Message> match, Duration wait) throws InterruptedException {
    synchronized (unclaimed) {
      for (Message m : unclaimed) {
        if (match.test(m)) {
          unclaimed.remove(m);
          return m;
        }
      }
    }
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      Message m = inbox.poll(left, TimeUnit.NANOSECONDS);
      if (m == null) {
        return null;
      }
      if (match.test(m)) {
        return m;
      }
      synchronized (unclaimed) {
        unclaimed.add(m);
      }
    }
  }

  List<String> rawLines() {
    synchronized (rawLines) {
      return List.copyOf(rawLines);
    }
  }

  /** Closes the host's end, as a host that quits does. */
  void closeInput() throws IOException {
    toGateway.close();
  }

  boolean serverDone(Duration wait) throws InterruptedException {
    server.join(wait.toMillis());
    return !server.isAlive();
  }

  @Override
  public void close() throws IOException {
    try {
      toGateway.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
