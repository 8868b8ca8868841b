package io.segmenttransfer.http.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ImmediateExecutor;
import java.util.List;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;

/**
 * A server {@link SslContext} whose certificate can be replaced while the listener runs: every new
 * connection gets its engine from the context current at that moment, so a reloaded certificate
 * applies to the next handshake, while connections already open keep the engine they started with.
 *
 * <p>Handlers are made by the current context's own public {@code newHandler} (OpenSSL's makes an
 * engine tuned for Netty, which {@code newEngine} alone would not).
 */
final class ReloadingSslContext extends SslContext {

  private volatile SslContext current;

  ReloadingSslContext(SslContext initial) {
    this.current = initial;
  }

  void replace(SslContext next) {
    current = next;
  }

  SslContext current() {
    return current;
  }

  @Override
  public boolean isClient() {
    return false;
  }

  @Override
  public List<String> cipherSuites() {
    return current.cipherSuites();
  }

  @Override
  public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
    return current.applicationProtocolNegotiator();
  }

  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc) {
    return current.newEngine(alloc);
  }

  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
    return current.newEngine(alloc, peerHost, peerPort);
  }

  @Override
  public SSLSessionContext sessionContext() {
    return current.sessionContext();
  }

  // A server context is never start-TLS, so the flag the final overloads pass is not needed.

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls) {
    return current.newHandler(alloc, ImmediateExecutor.INSTANCE);
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls, Executor executor) {
    return current.newHandler(alloc, executor);
  }

  @Override
  protected SslHandler newHandler(
      ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls) {
    return current.newHandler(alloc, peerHost, peerPort, ImmediateExecutor.INSTANCE);
  }

  @Override
  protected SslHandler newHandler(
      ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls, Executor executor) {
    return current.newHandler(alloc, peerHost, peerPort, executor);
  }
}
