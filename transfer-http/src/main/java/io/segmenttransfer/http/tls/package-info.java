/**
 * TLS and client credentials for every listener and HTTP client of the project.
 *
 * <p>Listeners: {@link io.segmenttransfer.http.tls.ServerTlsConfig} (PEM chain and key, or a
 * PKCS#12 keystore; an optional client CA for mutual TLS) and {@link
 * io.segmenttransfer.http.tls.ServerTls}, which turns it into a Netty {@code SslContext} (TLS 1.2
 * and 1.3 only, the OpenSSL engine when its native library loads) on a reactor-netty {@code
 * HttpServer}, and reloads the certificate when its files change.
 *
 * <p>Clients: {@link io.segmenttransfer.http.tls.ClientSecurity} (trust, client certificate,
 * credentials) configures a reactor-netty {@code HttpClient}; {@link
 * io.segmenttransfer.http.tls.ClientSecurity#none()} is plain HTTP with the JVM's trust store for
 * {@code https} URLs. Credentials never appear in {@code toString()}, logs or error messages.
 */
@NullMarked
package io.segmenttransfer.http.tls;

import org.jspecify.annotations.NullMarked;
