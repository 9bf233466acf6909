package dev.aegis.chain;

import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Response;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An {@link ExchangeListener} that appends one JSON line per finished exchange to a file: when, which session, which
 * way, method, server and name, outcome, duration, and the guards' decisions. Payloads (arguments, results) are never
 * written. The caller's thread only enqueues; a background thread writes, so a slow disk never slows a call. When
 * the queue is full the record is counted as dropped, never blocking.
 *
 * <pre>{@code ExchangeLog log = ExchangeLog.open(home.resolve("logs/exchanges.jsonl")); }</pre>
 */
public final class ExchangeLog implements ExchangeListener, AutoCloseable {
  private static final Entry STOP = new Entry(null, null, 0, 0);
  private static final long DRAIN_PERIOD_MS = 50;
  private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(16_384);
  private final Writer out;
  private final JsonMapper mapper = JsonMapper.builder().build();
  private final Thread writer;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();

  private ExchangeLog(Writer out) {
    this.out = out;
    this.writer = new Thread(this::drain, "aegis-exchange-log");
    writer.setDaemon(true);
    writer.start();
  }

  /** Appends to {@code file}, creating it and its folder. */
  public static ExchangeLog open(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    return new ExchangeLog(w);
  }

  /** What the caller's thread hands over: references only; the writer thread formats. */
  private record Entry(Exchange exchange, Response reply, long endNanos, long epochMillis) {}

  @Override
  public void onExchange(Exchange exchange, Response reply, long endNanos) {
    if (!queue.offer(new Entry(exchange, reply, endNanos, System.currentTimeMillis()))) {
      dropped.incrementAndGet();
    }
  }

  private static ObjectNode format(Entry e) {
    Exchange exchange = e.exchange();
    Response reply = e.reply();
    ObjectNode r = JsonNodeFactory.instance.objectNode();
    r.put("ts", Instant.ofEpochMilli(e.epochMillis()).toString());
    r.put("session", exchange.session().id());
    r.put("transport", exchange.session().transport());
    r.put("principal", exchange.session().principal());
    r.put("direction", exchange.direction().name());
    r.put("method", exchange.method());
    if (exchange.target() != null) {
      r.put("server", exchange.target().server());
      if (exchange.target().name() != null) {
        r.put("name", exchange.target().name());
      }
    }
    if (reply == null) {
      r.put("outcome", "notification");
    } else if (reply.isError()) {
      JsonRpcError err = reply.error();
      r.put("outcome", "error");
      r.put("errorCode", err.code());
      r.put("error", err.message().length() > 300 ? err.message().substring(0, 300) : err.message());
    } else {
      r.put("outcome", "ok");
    }
    r.put("micros", (e.endNanos() - exchange.startNanos()) / 1000);
    List<Decision> decisions = exchange.decisions();
    if (!decisions.isEmpty()) {
      ArrayNode d = r.putArray("decisions");
      for (Decision decision : decisions) {
        ObjectNode o = d.addObject();
        o.put("by", decision.by());
        o.put("effect", decision.effect());
        o.put("reason", decision.reason());
      }
    }
    return r;
  }

  /** Records not written because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Records written so far. */
  public long written() {
    return written.get();
  }

  private void drain() {
    List<Entry> batch = new ArrayList<>();
    try {
      while (true) {
        // drain in batches a few times a second rather than waking on every record: a wake-up per exchange would
        // cost the gateway a context switch per message
        if (queue.drainTo(batch, 4096) == 0) {
          Thread.sleep(DRAIN_PERIOD_MS);
          continue;
        }
        boolean stop = false;
        for (Entry r : batch) {
          if (r == STOP) {
            stop = true;
            continue;
          }
          out.write(mapper.writeValueAsString(format(r)));
          out.write('\n');
          written.incrementAndGet();
        }
        out.flush();
        batch.clear();
        if (stop) {
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("aegis: exchange log stopped: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes what is queued and closes the file. */
  @Override
  public void close() {
    try {
      queue.put(STOP);
      writer.join(5000);
      out.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      System.err.println("aegis: cannot close exchange log: " + e);
    }
  }
}
