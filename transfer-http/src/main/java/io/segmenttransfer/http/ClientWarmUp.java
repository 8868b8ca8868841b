package io.segmenttransfer.http;

import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientConfig;
import reactor.netty.resources.LoopResources;

/**
 * Readies what a client's first request would otherwise initialise on its critical path in a fresh
 * JVM: the event loops with the native transport and the default DNS resolver group, plus TLS only
 * when asked. reactor-netty's own {@code HttpClient.warmup()} always loads OpenSSL ({@code
 * OpenSsl.version()}: netty-tcnative's native library extracted from the jar and loaded, a JDK TLS
 * context built for its cipher list), about 0.4 s of CPU (measured in a fresh JVM, of 0.56 s for
 * the whole warm-up) that a client of plain {@code http} URLs never uses and that competes, on a
 * small machine, with the transfer it was meant to speed up. Blocking; call it on a thread of its
 * own.
 */
public final class ClientWarmUp {

  private ClientWarmUp() {}

  /** Warms {@code client} up; with {@code tls}, exactly as {@code HttpClient.warmup()} does. */
  public static void run(HttpClient client, boolean tls) {
    if (tls) {
      client.warmup().block();
      return;
    }
    HttpClientConfig config = client.configuration();
    config.loopResources().onClient(LoopResources.DEFAULT_NATIVE);
    config.resolver();
  }
}
