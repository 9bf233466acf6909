package dev.aegis.store;

import dev.aegis.memory.Draft;
import dev.aegis.memory.Entry;
import dev.aegis.memory.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One writer thread that commits queued appends together: each {@link #submit} waits in a queue, the writer takes
 * everything queued (up to {@link #MAX_BATCH_DRAFTS} drafts) and hands it to the {@link Committer} as one
 * transaction, so many concurrent callers share one fsync. A caller returns when its batch committed, or with the
 * exception that concerns it alone (a conflict) or the whole batch (the database failed).
 */
final class GroupCommit implements AutoCloseable {
  static final int MAX_BATCH_DRAFTS = 20_000;

  /** Writes a batch in one transaction and completes each request: a conflict at once, the rest after commit. */
  interface Committer {
    void commit(List<Request> batch) throws Exception;

    /** Called on the writer thread as it stops: release what {@link #commit} kept. */
    void stopped();
  }

  /** One caller's drafts and the future it waits on. */
  static final class Request {
    final List<Draft> drafts;
    final CompletableFuture<List<Entry>> done = new CompletableFuture<>();

    Request(List<Draft> drafts) {
      this.drafts = drafts;
    }
  }

  private static final Request STOP = new Request(List.of());

  private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final Committer committer;
  private final Thread writer;
  private boolean closed;

  GroupCommit(String name, Committer committer) {
    this.committer = committer;
    this.writer = new Thread(this::run, name);
    writer.setDaemon(true);
    writer.start();
  }

  /** Queues {@code drafts} and waits (uninterruptibly: the outcome is decided once queued) for their batch. */
  List<Entry> submit(List<Draft> drafts) {
    Request r = new Request(drafts);
    synchronized (this) {
      if (closed) {
        throw new StoreException("append: the memory store is closed", null);
      }
      queue.add(r);
    }
    try {
      return r.done.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new StoreException("append failed: " + e.getCause(), e.getCause());
    }
  }

  private void run() {
    List<Request> batch = new ArrayList<>();
    while (true) {
      Request first;
      try {
        first = queue.take();
      } catch (InterruptedException e) {
        continue; // only close() stops the writer, so that no queued caller is left waiting
      }
      if (first == STOP) {
        committer.stopped();
        return;
      }
      batch.add(first);
      int drafts = first.drafts.size();
      Request next;
      while (drafts < MAX_BATCH_DRAFTS && (next = queue.peek()) != null && next != STOP) {
        queue.poll();
        batch.add(next);
        drafts += next.drafts.size();
      }
      try {
        committer.commit(batch);
      } catch (Throwable t) {
        StoreException failure = t instanceof StoreException se ? se
            : new StoreException("append failed, nothing of this batch was written: " + t, t);
        for (Request r : batch) {
          r.done.completeExceptionally(failure);
        }
      }
      for (Request r : batch) {
        if (!r.done.isDone()) {
          r.done.completeExceptionally(new IllegalStateException("the committer left an append unanswered"));
        }
      }
      batch.clear();
    }
  }

  /** Commits everything queued so far, then stops the writer. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(STOP);
    }
    boolean interrupted = false;
    while (writer.isAlive()) {
      try {
        writer.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
