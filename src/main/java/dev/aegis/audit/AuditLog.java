package dev.aegis.audit;

import dev.aegis.chain.Exchange;
import dev.aegis.chain.ExchangeListener;
import dev.aegis.protocol.Response;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tamper-evident audit log: an {@link ExchangeListener} that appends one hash-chained JSON line per finished
 * exchange to {@code audit-NNNNNN.jsonl}, durably, with an Ed25519-signed checkpoint every
 * {@link Options#checkpointEvery()} records and on close. The caller's thread only enqueues (never blocks, never
 * throws; a full queue is counted and later recorded as a {@code dropped} record). One writer thread writes everything
 * queued, forces it to disk once (group commit), and only then reports it durable ({@link #durableSeq()},
 * {@link Options#onDurable()}). Files rotate by size; the chain runs on across files.
 *
 * <pre>{@code try (AuditLog audit = AuditLog.open(home)) { gateway = new Gateway(config, guards, audit, log); } }</pre>
 */
public final class AuditLog implements ExchangeListener, AutoCloseable {
  /** How often the writer commits what was queued: records are acknowledged (forced to disk) within about this. */
  static final long COMMIT_PERIOD_MS = 10;


  /**
   * How the log behaves.
   *
   * @param maxFileBytes rotate when the next record would make the file larger than this
   * @param checkpointEvery records between signed checkpoints
   * @param clock the time written in records
   * @param onDurable called on the writer thread with the highest seq forced to disk, after each group commit
   */
  public record Options(long maxFileBytes, int checkpointEvery, Clock clock, LongConsumer onDurable) {
    public Options {
      if (maxFileBytes < 1024) {
        throw new IllegalArgumentException("maxFileBytes must be at least 1024; was " + maxFileBytes);
      }
      if (checkpointEvery < 1) {
        throw new IllegalArgumentException("checkpointEvery must be at least 1; was " + checkpointEvery);
      }
      if (clock == null || onDurable == null) {
        throw new IllegalArgumentException("clock and onDurable are required");
      }
    }

    /** 64 MiB files, a checkpoint every 1000 records, the system clock. */
    public static Options defaults() {
      return new Options(64L << 20, 1000, Clock.systemUTC(), seq -> {});
    }

    public Options withMaxFileBytes(long bytes) {
      return new Options(bytes, checkpointEvery, clock, onDurable);
    }

    public Options withCheckpointEvery(int records) {
      return new Options(maxFileBytes, records, clock, onDurable);
    }

    public Options withClock(Clock c) {
      return new Options(maxFileBytes, checkpointEvery, c, onDurable);
    }

    public Options withOnDurable(LongConsumer callback) {
      return new Options(maxFileBytes, checkpointEvery, clock, callback);
    }
  }

  private record Entry(Exchange exchange, Response reply, long endNanos, long epochMillis, CountDownLatch flushed,
      ObjectNode event) {
    Entry(Exchange exchange, Response reply, long endNanos, long epochMillis, CountDownLatch flushed) {
      this(exchange, reply, endNanos, epochMillis, flushed, null);
    }
  }

  /** Record types of the log itself, which {@link #event} may not write. */
  private static final java.util.Set<String> OWN_TYPES = java.util.Set.of("exchange", "checkpoint", "rotate",
      "dropped", "recovery");

  private static final Entry STOP = new Entry(null, null, 0, 0, null);
  private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(16_384);
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong droppedTotal = new AtomicLong();
  /** Gateways writing to one home at once: hosts start one per server and window, so there may be many. */
  private static final int MAX_CHAINS = 4096;
  private final FileChannel lockFile;
  private final Path dir;
  private final KeyPair keys;
  private final Options options;
  private final Thread writer;
  private volatile long durableSeq;
  private volatile boolean closed;
  // writer-thread state
  private FileChannel channel;
  private int fileNumber;
  private long fileSize;
  /** Lines sealed but not yet written (written and forced once per batch). */
  private final Pending pending = new Pending();
  private long seq;
  private String prev;
  private int sinceCheckpoint;
  private ObjectNode recovery;

  private AuditLog(Path dir, KeyPair keys, Options options, FileChannel lockFile) throws IOException {
    this.lockFile = lockFile;
    this.dir = dir;
    this.keys = keys;
    this.options = options;
    resume();
    this.writer = new Thread(this::drain, "aegis-audit-log");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * The log under {@code $AEGIS_HOME}: records in {@code home/audit}, keys in {@code home/keys}, defaults. One chain
   * has one writer: when another process (a second gateway on the same home) holds {@code audit}, this one writes
   * its own chain in {@code audit-2}, {@code audit-3}, … (see {@link #chainDirs}).
   */
  public static AuditLog open(Path home) throws IOException {
    IOException busy = null;
    for (int n = 1; n <= MAX_CHAINS; n++) {
      try {
        return open(chainDir(home, n), home.resolve("keys"), Options.defaults());
      } catch (ChainBusyException e) {
        busy = e;
      }
    }
    throw new IOException("all " + MAX_CHAINS + " audit chains under " + home + " are in use", busy);
  }

  /** The audit folders that exist under {@code home}, in order: {@code audit}, {@code audit-2}, … */
  public static List<Path> chainDirs(Path home) {
    List<Integer> numbers = new ArrayList<>();
    if (Files.isDirectory(home)) {
      try (java.util.stream.Stream<Path> entries = Files.list(home)) {
        entries.filter(Files::isDirectory).forEach(p -> {
          String name = p.getFileName().toString();
          if (name.equals("audit")) {
            numbers.add(1);
          } else if (name.startsWith("audit-") && name.length() > 6 && name.length() < 12
              && name.substring(6).chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(name.substring(6));
            if (n >= 2 && n <= MAX_CHAINS) {
              numbers.add(n);
            }
          }
        });
      } catch (IOException e) {
        // unreadable home: no chains to list
      }
    }
    numbers.sort(null);
    List<Path> out = new ArrayList<>(numbers.size());
    for (int n : numbers) {
      out.add(chainDir(home, n));
    }
    return out;
  }

  private static Path chainDir(Path home, int n) {
    return home.resolve(n == 1 ? "audit" : "audit-" + n);
  }

  /** Another writer holds the chain. */
  static final class ChainBusyException extends IOException {
    ChainBusyException(Path dir) {
      super("the audit log in " + dir + " is being written by another process");
    }
  }

  /**
   * Opens (or continues) the log in {@code auditDir}, signing with the key pair in {@code keysDir}; fails when
   * another writer holds it.
   */
  public static AuditLog open(Path auditDir, Path keysDir, Options options) throws IOException {
    Files.createDirectories(auditDir);
    FileChannel lockFile = FileChannel.open(auditDir.resolve(".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockFile.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockFile.close();
      throw new ChainBusyException(auditDir);
    }
    try {
      return new AuditLog(auditDir, AuditKeys.loadOrCreate(keysDir), options, lockFile);
    } catch (IOException | RuntimeException e) {
      lockFile.close();
      throw e;
    }
  }

  @Override
  public void onExchange(Exchange exchange, Response reply, long endNanos) {
    try {
      if (closed || !queue.offer(new Entry(exchange, reply, endNanos, options.clock().millis(), null))) {
        dropped.incrementAndGet();
        droppedTotal.incrementAndGet();
      }
    } catch (RuntimeException e) {
      dropped.incrementAndGet();
      droppedTotal.incrementAndGet();
    }
  }

  /**
   * Appends an event that is not an exchange (e.g. {@code {"type":"sandbox","event":"exit",...}}), chained and
   * signed like every record. Its {@code type} must be set and not one of the log's own; never blocks (dropped and
   * counted when the queue is full, like exchanges).
   */
  public void event(ObjectNode body) {
    String type = body.path("type").asString("");
    if (type.isEmpty() || OWN_TYPES.contains(type)) {
      throw new IllegalArgumentException("an audit event needs its own type, not '" + type + "'");
    }
    ObjectNode copy = body.deepCopy();
    copy.remove(List.of("seq", "prev", "hash", "sig", "hash_of_last"));
    if (closed || !queue.offer(new Entry(null, null, 0, options.clock().millis(), null, copy))) {
      dropped.incrementAndGet();
      droppedTotal.incrementAndGet();
    }
  }

  /** The highest seq written and forced to disk: every record up to it survives a crash. */
  public long durableSeq() {
    return durableSeq;
  }

  /** Exchanges not recorded because the queue was full (each gap is itself recorded). */
  public long dropped() {
    return droppedTotal.get();
  }

  /** Waits until everything enqueued before this call is durable; false when that took longer than the timeout. */
  public boolean flush(long timeout, TimeUnit unit) throws InterruptedException {
    CountDownLatch latch = new CountDownLatch(1);
    if (!queue.offer(new Entry(null, null, 0, 0, latch), timeout, unit)) {
      return false;
    }
    return latch.await(timeout, unit);
  }

  /** Writes what is queued, a closing checkpoint, forces and closes. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      queue.put(STOP);
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Finds where the chain stands: the last complete record; a torn final line is cut off and the cut recorded. */
  private void resume() throws IOException {
    List<Path> files = AuditFiles.list(dir);
    seq = 0;
    prev = Canonical.GENESIS;
    fileNumber = 1;
    if (files.isEmpty()) {
      openFile(1);
      return;
    }
    Path last = files.get(files.size() - 1);
    List<AuditFiles.Line> lines = AuditFiles.lines(last);
    if (!lines.isEmpty() && !lines.get(lines.size() - 1).complete()) {
      AuditFiles.Line torn = lines.remove(lines.size() - 1);
      long tornBytes = torn.text().getBytes(StandardCharsets.UTF_8).length;
      try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
        ch.truncate(ch.size() - tornBytes);
        ch.force(true);
      }
      recovery = JsonNodeFactory.instance.objectNode();
      recovery.put("type", "recovery");
      recovery.put("file", last.getFileName().toString());
      recovery.put("line", torn.number());
      recovery.put("truncated_bytes", tornBytes);
      recovery.put("reason", "incomplete final line (a write cut short by a crash) removed on restart");
    }
    JsonNode lastRecord = null;
    for (int i = files.size() - 1; i >= 0 && lastRecord == null; i--) {
      List<AuditFiles.Line> ls = i == files.size() - 1 ? lines : AuditFiles.lines(files.get(i));
      if (!ls.isEmpty()) {
        try {
          lastRecord = Canonical.mapper().readTree(ls.get(ls.size() - 1).text());
        } catch (JacksonException e) {
          throw new IOException("the last record of " + files.get(i) + " is not JSON; run `aegis audit verify --dir "
              + dir + "`", e);
        }
      }
    }
    int number = AuditFiles.number(last);
    if (lastRecord != null) {
      seq = lastRecord.path("seq").asLong();
      prev = lastRecord.path("hash").asString();
      if ("rotate".equals(lastRecord.path("type").asString())) {
        number++;
      }
    }
    openFile(number);
  }

  private void openFile(int number) throws IOException {
    fileNumber = number;
    Path file = dir.resolve(AuditFiles.name(number));
    boolean created = !Files.exists(file);
    channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    fileSize = channel.size();
    if (created) {
      forceDirectory();
    }
  }

  private void forceDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | RuntimeException e) {
      // not every platform can open a directory; the file's own force still holds its data
    }
  }

  private void drain() {
    List<Entry> batch = new ArrayList<>();
    boolean failed = false;
    while (true) {
      // group commit on a short period rather than waking (and forcing the disk) for every record: on a small
      // machine a wake-up plus an fsync per call costs the gateway more than the call itself
      if (queue.drainTo(batch, 4096) == 0) {
        try {
          Thread.sleep(COMMIT_PERIOD_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        continue;
      }
      boolean stop = false;
      List<CountDownLatch> flushed = new ArrayList<>();
      try {
        if (!failed) {
          if (recovery != null) {
            append(recovery);
            recovery = null;
          }
        }
        for (Entry e : batch) {
          if (e == STOP) {
            stop = true;
          } else if (e.flushed() != null) {
            flushed.add(e.flushed());
          } else if (failed) {
            droppedTotal.incrementAndGet();
          } else if (e.event() != null) {
            if (!e.event().has("ts")) {
              e.event().put("ts", Instant.ofEpochMilli(e.epochMillis()).toString());
            }
            append(e.event());
          } else {
            append(AuditRecords.exchange(e.exchange(), e.reply(), e.endNanos(), e.epochMillis()));
          }
        }
        if (!failed) {
          long gap = dropped.getAndSet(0);
          if (gap > 0) {
            ObjectNode d = JsonNodeFactory.instance.objectNode();
            d.put("type", "dropped");
            d.put("count", gap);
            append(d);
          }
          if (stop) {
            checkpoint("close");
          }
          flush();
          if (seq > durableSeq) {
            channel.force(true);
            durableSeq = seq;
            options.onDurable().accept(seq);
          }
        }
      } catch (IOException | RuntimeException e) {
        failed = true;
        System.err.println("aegis: audit log stopped writing: " + e);
      }
      flushed.forEach(CountDownLatch::countDown);
      batch.clear();
      if (stop) {
        try {
          channel.close();
          lockFile.close();
        } catch (IOException e) {
          System.err.println("aegis: cannot close the audit log: " + e);
        }
        return;
      }
    }
  }

  /** Appends a record, rotating first when it would overflow the file, and checkpoints when one is due. */
  private void append(ObjectNode body) throws IOException {
    Sealed line = seal(body);
    if (fileSize > 0 && fileSize + line.bytes().length > options.maxFileBytes()) {
      ObjectNode rotate = JsonNodeFactory.instance.objectNode();
      rotate.put("type", "rotate");
      rotate.put("next", AuditFiles.name(fileNumber + 1));
      seq--; // the rotate record takes this seq; the record is sealed again after it
      write(seal(rotate));
      flush();
      channel.force(true);
      channel.close();
      openFile(fileNumber + 1);
      body.remove(List.of("seq", "prev", "hash"));
      line = seal(body);
    }
    write(line);
    if (++sinceCheckpoint >= options.checkpointEvery()) {
      checkpoint("interval");
    }
  }

  private void checkpoint(String reason) throws IOException {
    ObjectNode c = JsonNodeFactory.instance.objectNode();
    c.put("type", "checkpoint");
    c.put("reason", reason);
    write(seal(c));
    sinceCheckpoint = 0;
  }

  private record Sealed(byte[] bytes, String hash) {}

  /**
   * Gives the record the next seq, the link to the previous one, a signature for a checkpoint, and its hash. The line
   * is the canonical bytes the hash covers with {@code "hash"} added as the last member (one serialization per
   * record; verification parses the line and never depends on its spelling).
   */
  private Sealed seal(ObjectNode body) {
    body.remove("hash");
    body.put("seq", ++seq);
    if (!body.has("ts")) {
      body.put("ts", Instant.ofEpochMilli(options.clock().millis()).toString());
    }
    body.put("prev", prev);
    if ("checkpoint".equals(body.path("type").asString())) {
      body.put("hash_of_last", prev);
      body.put("sig", AuditKeys.sign(keys.getPrivate(), Canonical.bytes(body)));
    }
    byte[] text = Canonical.bytes(body);
    String hash = Canonical.sha256(text);
    body.put("hash", hash);
    byte[] tail = (",\"hash\":\"" + hash + "\"}\n").getBytes(StandardCharsets.US_ASCII);
    byte[] line = Arrays.copyOf(text, text.length - 1 + tail.length);
    System.arraycopy(tail, 0, line, text.length - 1, tail.length);
    return new Sealed(line, hash);
  }

  /** Queues a line for the next {@link #flush} (one write per batch rather than per record). */
  private void write(Sealed line) {
    pending.write(line.bytes(), 0, line.bytes().length);
    fileSize += line.bytes().length;
    prev = line.hash();
  }

  /** Writes the queued lines to the current file. */
  private void flush() throws IOException {
    if (pending.size() == 0) {
      return;
    }
    ByteBuffer buf = ByteBuffer.wrap(pending.buffer(), 0, pending.size());
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    pending.reset();
  }

  /** A byte buffer whose array can be written without a copy. */
  private static final class Pending extends java.io.ByteArrayOutputStream {
    Pending() {
      super(64 * 1024);
    }

    byte[] buffer() {
      return buf;
    }
  }
}
