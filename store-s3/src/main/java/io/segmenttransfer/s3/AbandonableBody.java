package io.segmenttransfer.s3;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The SDK's {@code toPublisher()} transformer, plus a way to say the caller went away.
 *
 * <p>Cancelling the future {@code getObject} returns does not always close the connection: when the
 * response headers arrive while the cancel is under way, the SDK completes its inner future with a
 * body publisher that nobody will ever subscribe to, and the connection then stays open, stalled,
 * until the read timeout. (Seen as a connection left open after cancel in about one run in thirty
 * of {@code S3FaultInjectionTest}.) An abandoned transformer releases such a body itself, whichever
 * of the two comes first: the body or the abandon.
 */
final class AbandonableBody
    implements AsyncResponseTransformer<GetObjectResponse, ResponsePublisher<GetObjectResponse>> {

  private final AsyncResponseTransformer<GetObjectResponse, ResponsePublisher<GetObjectResponse>>
      delegate = AsyncResponseTransformer.toPublisher();
  private final AtomicBoolean released = new AtomicBoolean();
  private volatile boolean abandoned;
  private volatile boolean handedOver;
  private volatile ResponsePublisher<GetObjectResponse> body;

  @Override
  public CompletableFuture<ResponsePublisher<GetObjectResponse>> prepare() {
    CompletableFuture<ResponsePublisher<GetObjectResponse>> prepared = delegate.prepare();
    prepared.thenAccept(
        arrived -> {
          body = arrived;
          releaseIfAbandoned();
        });
    return prepared;
  }

  @Override
  public void onResponse(GetObjectResponse response) {
    delegate.onResponse(response);
  }

  @Override
  public void onStream(SdkPublisher<ByteBuffer> publisher) {
    delegate.onStream(publisher);
  }

  @Override
  public void exceptionOccurred(Throwable error) {
    delegate.exceptionOccurred(error);
  }

  @Override
  public String name() {
    return delegate.name();
  }

  /** The body reached its reader, which from now on owns it (and closes it by cancelling). */
  void handedOver() {
    handedOver = true;
  }

  /** Nobody will read the body: release it now if it is here, or as soon as it arrives. */
  void abandon() {
    abandoned = true;
    releaseIfAbandoned();
  }

  // Both sides write their own flag before reading the other's, so at least one of them sees both.
  private void releaseIfAbandoned() {
    ResponsePublisher<GetObjectResponse> arrived = body;
    if (abandoned && !handedOver && arrived != null && released.compareAndSet(false, true)) {
      release(arrived);
    }
  }

  /**
   * Subscribes and cancels at once: the SDK then closes the connection instead of holding it for a
   * reader that never comes.
   */
  static void release(Object body) {
    if (body instanceof ResponsePublisher<?> publisher) {
      publisher.subscribe(
          new Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Subscription subscription) {
              subscription.cancel();
            }

            @Override
            public void onNext(ByteBuffer buffer) {}

            @Override
            public void onError(Throwable error) {}

            @Override
            public void onComplete() {}
          });
    }
  }
}
