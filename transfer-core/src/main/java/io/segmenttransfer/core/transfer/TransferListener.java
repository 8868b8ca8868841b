package io.segmenttransfer.core.transfer;

/**
 * Receives {@link TransferEvent}s. Must be fast and must not block: it runs on transfer threads.
 */
@FunctionalInterface
public interface TransferListener {

  TransferListener NONE = event -> {};

  void on(TransferEvent event);

  default TransferListener andThen(TransferListener next) {
    return event -> {
      on(event);
      next.on(event);
    };
  }
}
