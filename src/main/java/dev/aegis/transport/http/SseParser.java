package dev.aegis.transport.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An incremental {@code text/event-stream} parser (the WHATWG rules: {@code data}, {@code id}, {@code event},
 * {@code retry}, comments, any line ending) that works on bytes as they arrive and never decodes the data. An event
 * whose data exceeds the limit is skipped to its end and reported, so one huge event cannot exhaust memory.
 *
 * <pre>{@code
 * SseParser p = new SseParser(4 << 20, listener);
 * p.feed(ByteBuffer.wrap("id: 1\ndata: {}\n\n".getBytes()));   // listener.event("1", "message", ...)
 * }</pre>
 */
final class SseParser {

  /** Receives what the stream carries. */
  interface Listener {
    /**
     * One event. {@code data} is valid only during the call.
     *
     * @param id the last event id seen on the stream (it persists across events), or null
     * @param type the event type, {@code "message"} unless the stream named another
     */
    void event(String id, String type, byte[] data, int length);

    /** An event was skipped because its data exceeded the limit. */
    void oversize(long bytes);

    /** The server's reconnection delay hint. */
    default void retry(long millis) {}
  }

  private final int maxData;
  private final Listener listener;
  private byte[] line = new byte[256];
  private int lineLength;
  private boolean lineTooLong;
  private byte[] data = new byte[1024];
  private int dataLength;
  private boolean hasData;
  private long skipped;
  private boolean skipping;
  private String type;
  private String lastId;
  private boolean afterCr;

  SseParser(int maxData, Listener listener) {
    this.maxData = maxData;
    this.listener = listener;
  }

  /** The id of the last event, for {@code Last-Event-ID}; null when none was given. */
  String lastId() {
    return lastId;
  }

  void feed(ByteBuffer buf) {
    while (buf.hasRemaining()) {
      byte b = buf.get();
      if (afterCr) {
        afterCr = false;
        if (b == '\n') {
          continue;
        }
      }
      if (b == '\n' || b == '\r') {
        afterCr = b == '\r';
        endOfLine();
      } else {
        appendToLine(b);
      }
    }
  }

  private void appendToLine(byte b) {
    if (lineTooLong) {
      skipped++;
      return;
    }
    if (lineLength == line.length) {
      if (line.length >= maxData + 64) {
        lineTooLong = true;
        skipped += lineLength + 1;
        return;
      }
      line = Arrays.copyOf(line, Math.min(maxData + 64, line.length * 2));
    }
    line[lineLength++] = b;
  }

  private void endOfLine() {
    int len = lineLength;
    boolean tooLong = lineTooLong;
    lineLength = 0;
    lineTooLong = false;
    if (tooLong) {
      skipping = true;
      return;
    }
    if (len == 0) {
      dispatch();
      return;
    }
    if (line[0] == ':') {
      return; // comment
    }
    int colon = -1;
    for (int i = 0; i < len; i++) {
      if (line[i] == ':') {
        colon = i;
        break;
      }
    }
    int nameEnd = colon < 0 ? len : colon;
    int valueStart = colon < 0 ? len : colon + 1;
    if (valueStart < len && line[valueStart] == ' ') {
      valueStart++;
    }
    if (is("data", nameEnd)) {
      appendData(valueStart, len);
    } else if (is("id", nameEnd)) {
      String id = new String(line, valueStart, len - valueStart, StandardCharsets.UTF_8);
      if (id.indexOf('\0') < 0) {
        lastId = id;
      }
    } else if (is("event", nameEnd)) {
      type = new String(line, valueStart, len - valueStart, StandardCharsets.UTF_8);
    } else if (is("retry", nameEnd)) {
      long ms = 0;
      boolean digits = valueStart < len;
      for (int i = valueStart; i < len && digits; i++) {
        digits = line[i] >= '0' && line[i] <= '9';
        ms = ms * 10 + (line[i] - '0');
      }
      if (digits && ms >= 0) {
        listener.retry(ms);
      }
    }
  }

  private void appendData(int from, int to) {
    if (skipping) {
      skipped += to - from;
      return;
    }
    int n = to - from;
    int needed = dataLength + (hasData ? 1 : 0) + n;
    if (needed > maxData) {
      skipping = true;
      skipped = needed;
      return;
    }
    if (needed > data.length) {
      data = Arrays.copyOf(data, Math.min(maxData, Math.max(needed, data.length * 2)));
    }
    if (hasData) {
      data[dataLength++] = '\n';
    }
    System.arraycopy(line, from, data, dataLength, n);
    dataLength += n;
    hasData = true;
  }

  private void dispatch() {
    if (skipping) {
      listener.oversize(skipped);
    } else if (hasData && dataLength > 0) { // an event with empty data is never dispatched (SSE spec); its id still counts
      listener.event(lastId, type == null || type.isEmpty() ? "message" : type, data, dataLength);
    }
    skipping = false;
    skipped = 0;
    hasData = false;
    dataLength = 0;
    type = null;
    if (data.length > 64 * 1024) {
      data = new byte[1024]; // do not hold on to one big event's buffer
    }
    if (line.length > 64 * 1024) {
      line = new byte[256];
    }
  }

  private boolean is(String field, int nameEnd) {
    if (nameEnd != field.length()) {
      return false;
    }
    for (int i = 0; i < nameEnd; i++) {
      if (line[i] != field.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
