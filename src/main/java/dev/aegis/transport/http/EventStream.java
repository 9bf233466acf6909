package dev.aegis.transport.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One logical SSE stream of a session: a POST upgraded to SSE, or the session's standalone GET stream. It numbers its
 * events ({@code <stream>-<seq>}, unique within the session), keeps a bounded replay buffer, and survives the HTTP
 * response that carries it: a client that reconnects with {@code Last-Event-ID} gets what it missed, then the rest.
 * A non-resumable stream (stateless requests) has no ids and keeps nothing.
 */
final class EventStream implements SseSink.Owner {
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA_AFTER_ID = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

  /**
   * Hears when the stream is done: finished and written, or (non-resumable streams only) its connection broke.
   */
  interface Events {
    void delivered(EventStream stream);
  }

  private record Event(long seq, byte[] frame) {}

  private final String id;
  private final byte[] idPrefix;
  private final boolean resumable;
  private final int maxEvents;
  private final long maxBytes;
  private final Events events;
  private final Consumer<String> log;
  private final ArrayDeque<Event> ring = new ArrayDeque<>();
  private long ringBytes;
  private long seq;
  private long delivered;
  private long dropped;
  private SseSink sink;
  private boolean finished;

  EventStream(String id, boolean resumable, int maxEvents, long maxBytes, Events events, Consumer<String> log) {
    this.id = id;
    this.idPrefix = resumable ? ("id: " + id + "-").getBytes(StandardCharsets.US_ASCII) : null;
    this.resumable = resumable;
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
    this.events = events;
    this.log = log;
  }

  String id() {
    return id;
  }

  /** Adds one event carrying this JSON; written at once when a connection is attached, else kept (bounded). */
  synchronized void append(byte[] json) {
    long n = ++seq;
    byte[] frame = frame(n, json);
    if (resumable) {
      ring.addLast(new Event(n, frame));
      ringBytes += frame.length;
      trim();
    }
    if (sink != null && sink.offer(frame)) {
      delivered = n;
    }
  }

  /** No more events: the connection ends once it has written them. */
  synchronized void finish() {
    finished = true;
    if (sink != null) {
      sink.end();
    } else if (!resumable) {
      events.delivered(this);
    }
  }

  synchronized boolean isFinished() {
    return finished;
  }

  synchronized boolean hasConnection() {
    return sink != null && sink.isOpen();
  }

  synchronized SseSink connection() {
    return sink;
  }

  /**
   * Carries the stream on a new response, made only when the attach is accepted.
   *
   * @param after replay the events after this sequence number; negative: only those never handed to a connection
   * @param replace whether an open connection is ended in favour of this one (a resumption) or the attach refused
   * @return false when refused
   */
  synchronized boolean attach(Supplier<SseSink> connection, long after, boolean replace) {
    if (sink != null && sink.isOpen() && !replace) {
      return false;
    }
    if (sink != null) {
      sink.end();
    }
    SseSink s = connection.get();
    sink = s;
    s.open(this);
    long from = after >= 0 ? after : delivered;
    if (after >= 0 && !ring.isEmpty() && ring.peekFirst().seq() > after + 1) {
      log.accept("stream " + id + ": events " + (after + 1) + ".." + (ring.peekFirst().seq() - 1)
          + " are no longer kept; resuming with " + ring.peekFirst().seq());
    }
    for (Event e : ring) {
      if (e.seq() > from) {
        s.offer(e.frame());
      }
    }
    delivered = seq;
    if (finished) {
      s.end();
    }
    return true;
  }

  /** Ends the current connection, if any, without finishing the stream. */
  synchronized void disconnect() {
    if (sink != null) {
      sink.end();
      sink = null;
    }
  }

  @Override
  public void sinkEnded(SseSink s, Throwable failure) {
    boolean done;
    synchronized (this) {
      if (sink != s) {
        return;
      }
      sink = null;
      done = failure == null && finished;
    }
    if (done || !resumable) {
      events.delivered(this);
    }
  }

  private void trim() {
    while (ring.size() > maxEvents || (ringBytes > maxBytes && ring.size() > 1)) {
      Event e = ring.pollFirst();
      ringBytes -= e.frame().length;
      if (e.seq() > delivered) {
        if (dropped++ % 100 == 0) {
          log.accept("stream " + id + ": no client is reading; dropped " + dropped + " undelivered message(s)");
        }
      }
    }
  }

  private byte[] frame(long n, byte[] json) {
    if (!resumable) {
      byte[] f = new byte[DATA.length + json.length + END.length];
      System.arraycopy(DATA, 0, f, 0, DATA.length);
      System.arraycopy(json, 0, f, DATA.length, json.length);
      System.arraycopy(END, 0, f, DATA.length + json.length, END.length);
      return f;
    }
    byte[] num = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    byte[] f = new byte[idPrefix.length + num.length + DATA_AFTER_ID.length + json.length + END.length];
    int at = 0;
    System.arraycopy(idPrefix, 0, f, at, idPrefix.length);
    at += idPrefix.length;
    System.arraycopy(num, 0, f, at, num.length);
    at += num.length;
    System.arraycopy(DATA_AFTER_ID, 0, f, at, DATA_AFTER_ID.length);
    at += DATA_AFTER_ID.length;
    System.arraycopy(json, 0, f, at, json.length);
    at += json.length;
    System.arraycopy(END, 0, f, at, END.length);
    return f;
  }
}
