package dev.aegis.transport.stdio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.MessageChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

class StreamChannelTest {
  private static final long WAIT_SECONDS = 5;
  private final Codec codec = new Codec(4096);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** Queues everything a channel delivers, so the test thread can wait for it. */
  static final class RecordingReceiver implements MessageChannel.Receiver {
    final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<ProtocolException> invalid = new LinkedBlockingQueue<>();
    final CountDownLatch closed = new CountDownLatch(1);
    final AtomicReference<Throwable> closeCause = new AtomicReference<>();
    volatile int closedCalls;

    @Override
    public void onMessage(Message message) {
      messages.add(message);
    }

    @Override
    public void onInvalid(ProtocolException error) {
      invalid.add(error);
    }

    @Override
    public void onClosed(Throwable cause) {
      closedCalls++;
      closeCause.set(cause);
      closed.countDown();
    }

    Message nextMessage() throws InterruptedException {
      Message m = messages.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(m).as("a message within %d s", WAIT_SECONDS).isNotNull();
      return m;
    }

    ProtocolException nextInvalid() throws InterruptedException {
      ProtocolException e = invalid.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(e).as("an invalid-input report within %d s", WAIT_SECONDS).isNotNull();
      return e;
    }

    void awaitClosed() throws InterruptedException {
      assertThat(closed.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("onClosed within %d s", WAIT_SECONDS).isTrue();
    }
  }

  /** Both ends of a two-way in-memory connection, made of two NIO pipes. */
  private record Link(StreamChannel left, StreamChannel right) {}

  private Link link() throws IOException {
    Pipe leftToRight = Pipe.open();
    Pipe rightToLeft = Pipe.open();
    StreamChannel left = new StreamChannel(Channels.newInputStream(rightToLeft.source()),
        Channels.newOutputStream(leftToRight.sink()), codec, "left");
    StreamChannel right = new StreamChannel(Channels.newInputStream(leftToRight.source()),
        Channels.newOutputStream(rightToLeft.sink()), codec, "right");
    toClose.add(left);
    toClose.add(right);
    return new Link(left, right);
  }

  /** A channel whose input the test writes raw bytes into. */
  private record Raw(StreamChannel channel, OutputStream feed, InputStream written) {}

  private Raw raw() throws IOException {
    Pipe in = Pipe.open();
    Pipe out = Pipe.open();
    StreamChannel channel = new StreamChannel(Channels.newInputStream(in.source()),
        Channels.newOutputStream(out.sink()), codec, "raw");
    OutputStream feed = Channels.newOutputStream(in.sink());
    toClose.add(channel);
    toClose.add(feed);
    return new Raw(channel, feed, Channels.newInputStream(out.source()));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  @Test
  void twoChannelsExchangeMessagesBothWays() throws Exception {
    Link link = link();
    RecordingReceiver atLeft = new RecordingReceiver();
    RecordingReceiver atRight = new RecordingReceiver();
    link.left().start(atLeft);
    link.right().start(atRight);
    Request ping = Request.of(RequestId.of(1), "tools/call",
        JsonNodeFactory.instance.objectNode().put("text", "line\nbreak and ünïcode"));

    link.left().send(ping);
    Message got = atRight.nextMessage();
    link.right().send(Response.result(((Request) got).id(), JsonNodeFactory.instance.objectNode().put("ok", true)));
    Message answer = atLeft.nextMessage();

    assertThat(codec.encodeToString(got)).isEqualTo(codec.encodeToString(ping));
    assertThat(answer).isInstanceOf(Response.class);
    assertThat(((Response) answer).id()).isEqualTo(RequestId.of(1));
    assertThat(((Response) answer).result().get("ok").booleanValue()).isTrue();
  }

  @Test
  void manyMessagesArriveInOrder() throws Exception {
    Link link = link();
    RecordingReceiver atRight = new RecordingReceiver();
    link.left().start(new RecordingReceiver());
    link.right().start(atRight);

    for (int i = 0; i < 500; i++) {
      link.left().send(Notification.of("notifications/progress", JsonNodeFactory.instance.objectNode().put("n", i)));
    }

    for (int i = 0; i < 500; i++) {
      assertThat(((Notification) atRight.nextMessage()).params().get("n").intValue()).isEqualTo(i);
    }
  }

  @Test
  void invalidLineIsReportedAndTheChannelGoesOn() throws Exception {
    Raw raw = raw();
    RecordingReceiver receiver = new RecordingReceiver();
    raw.channel().start(receiver);

    raw.feed().write(("this is not json\n"
        + "{\"jsonrpc\":\"1.0\",\"id\":5,\"method\":\"x\"}\n"
        + "{\"jsonrpc\":\"2.0\",\"method\":\"still/alive\"}\n").getBytes(StandardCharsets.UTF_8));
    raw.feed().flush();

    ProtocolException parse = receiver.nextInvalid();
    ProtocolException shape = receiver.nextInvalid();
    assertThat(parse.error().code()).isEqualTo(JsonRpcError.PARSE_ERROR);
    assertThat(shape.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
    assertThat(shape.id()).isEqualTo(RequestId.of(5));
    assertThat(((Notification) receiver.nextMessage()).method()).isEqualTo("still/alive");
    assertThat(receiver.closed.getCount()).isEqualTo(1);
  }

  @Test
  void oversizeLineIsReportedAsTooLargeAndTheChannelGoesOn() throws Exception {
    Raw raw = raw();
    RecordingReceiver receiver = new RecordingReceiver();
    raw.channel().start(receiver);

    raw.feed().write(("{\"jsonrpc\":\"2.0\",\"method\":\"big\",\"params\":{\"pad\":\"" + "x".repeat(10_000)
        + "\"}}\n{\"jsonrpc\":\"2.0\",\"method\":\"small\"}\n").getBytes(StandardCharsets.UTF_8));
    raw.feed().flush();

    ProtocolException big = receiver.nextInvalid();
    assertThat(big.error().code()).isEqualTo(JsonRpcError.MESSAGE_TOO_LARGE);
    assertThat(big.error().message()).endsWith("exceeds the limit of 4096");
    assertThat(((Notification) receiver.nextMessage()).method()).isEqualTo("small");
  }

  @Test
  void batchLineDeliversEachMessage() throws Exception {
    Raw raw = raw();
    RecordingReceiver receiver = new RecordingReceiver();
    raw.channel().start(receiver);

    raw.feed().write("[{\"jsonrpc\":\"2.0\",\"method\":\"a\"},{\"jsonrpc\":\"2.0\",\"method\":\"b\"}]\n"
        .getBytes(StandardCharsets.UTF_8));
    raw.feed().flush();

    assertThat(((Notification) receiver.nextMessage()).method()).isEqualTo("a");
    assertThat(((Notification) receiver.nextMessage()).method()).isEqualTo("b");
  }

  @Test
  void sentMessageIsOneLineEndedByNewline() throws Exception {
    Raw raw = raw();
    raw.channel().start(new RecordingReceiver());

    raw.channel().send(Notification.of("n", JsonNodeFactory.instance.objectNode().put("t", "a\nb")));

    String expected = "{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":{\"t\":\"a\\nb\"}}\n";
    byte[] got = raw.written().readNBytes(expected.length());
    assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo(expected);
  }

  @Test
  void peerClosingItsEndIsACleanCloseReportedOnce() throws Exception {
    Raw raw = raw();
    RecordingReceiver receiver = new RecordingReceiver();
    raw.channel().start(receiver);

    raw.feed().write("{\"jsonrpc\":\"2.0\",\"method\":\"last\"}".getBytes(StandardCharsets.UTF_8));
    raw.feed().close();

    assertThat(((Notification) receiver.nextMessage()).method()).isEqualTo("last");
    receiver.awaitClosed();
    assertThat(receiver.closeCause.get()).isNull();
    raw.channel().close();
    assertThat(receiver.closedCalls).isEqualTo(1);
  }

  @Test
  void closingTheChannelReportsOnClosedAndRefusesFurtherSends() throws Exception {
    Link link = link();
    RecordingReceiver atLeft = new RecordingReceiver();
    RecordingReceiver atRight = new RecordingReceiver();
    link.left().start(atLeft);
    link.right().start(atRight);

    link.left().close();

    atLeft.awaitClosed();
    assertThat(atLeft.closeCause.get()).isNull();
    atRight.awaitClosed();
    assertThat(atRight.closeCause.get()).isNull();
    assertThatThrownBy(() -> link.left().send(Notification.of("late", null)))
        .isInstanceOf(IOException.class)
        .hasMessage("channel left is closed");
    link.left().close();
    assertThat(atLeft.closedCalls).isEqualTo(1);
  }

  @Test
  void startingTwiceIsRefused() throws Exception {
    Link link = link();
    link.left().start(new RecordingReceiver());

    assertThatThrownBy(() -> link.left().start(new RecordingReceiver()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("channel left already started");
    assertThat(link.left().describe()).isEqualTo("left");
  }
}
