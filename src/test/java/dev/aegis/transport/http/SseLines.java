package dev.aegis.transport.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads an SSE response in a test, independently of the production parser: a thread turns lines into events; the
 * test takes them with a timeout. {@link #END} marks the end of the stream.
 */
final class SseLines implements AutoCloseable {
  record Event(String id, String data) {}

  static final Event END = new Event(null, null);
  final HttpResponse<InputStream> response;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

  SseLines(HttpResponse<InputStream> response) {
    this.response = response;
    Thread t = new Thread(this::read, "test-sse-reader");
    t.setDaemon(true);
    t.start();
  }

  private void read() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String id = null;
      StringBuilder data = null;
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isEmpty()) {
          if (data != null) {
            events.add(new Event(id, data.toString()));
          }
          id = null;
          data = null;
        } else if (line.startsWith("id:")) {
          id = line.substring(3).trim();
        } else if (line.startsWith("data:")) {
          String d = line.substring(5).stripLeading();
          data = data == null ? new StringBuilder(d) : data.append('\n').append(d);
        }
      }
    } catch (IOException e) {
      // closed by the test or the server
    }
    events.add(END);
  }

  /** The next event, waiting at most 5 s. */
  Event next() throws InterruptedException {
    Event e = events.poll(5, TimeUnit.SECONDS);
    if (e == null) {
      throw new AssertionError("no SSE event within 5 s");
    }
    return e;
  }

  @Override
  public void close() throws IOException {
    response.body().close();
  }
}
