package io.segmenttransfer.http.tls;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads certificates and keys from files, with one clear error naming the file for each way they
 * can be wrong (missing, unreadable, not PEM, a key of another format, a key that does not belong
 * to the certificate). Blocking: called when a listener or client is built, and by the reload check
 * off the event loops.
 */
final class TlsMaterial {

  /** A private key with the certificate chain it belongs to, the leaf first. */
  record KeyAndChain(PrivateKey key, X509Certificate[] chain) {}

  private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PKCS8_END = "-----END PRIVATE KEY-----";

  private TlsMaterial() {}

  /** The certificates of a PEM (or DER) file, in file order; at least one. */
  static X509Certificate[] certificates(Path file, String what) {
    byte[] bytes = read(file, what);
    Collection<? extends Certificate> certificates;
    try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (CertificateException | IOException e) {
      throw new InvalidRequestException(
          null, "the " + what + " file " + file + " is not a readable PEM certificate");
    }
    if (certificates.isEmpty()) {
      throw new InvalidRequestException(
          null, "the " + what + " file " + file + " holds no certificate");
    }
    return certificates.stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
  }

  /** An unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}), RSA, EC or EdDSA. */
  static PrivateKey privateKey(Path file) {
    String text = new String(read(file, "TLS private key"), StandardCharsets.US_ASCII);
    int begin = text.indexOf(PKCS8_BEGIN);
    int end = text.indexOf(PKCS8_END);
    if (begin < 0 || end < begin) {
      String hint =
          text.contains("ENCRYPTED PRIVATE KEY")
              ? "is encrypted; give an unencrypted key"
              : text.contains("PRIVATE KEY-----")
                  ? "is not in PKCS#8 form; convert it with 'openssl pkcs8 -topk8 -nocrypt'"
                  : "holds no PEM private key";
      throw new InvalidRequestException(null, "the TLS private key file " + file + " " + hint);
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(begin + PKCS8_BEGIN.length(), end));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(
          null, "the TLS private key file " + file + " is not valid PEM");
    }
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException notThisAlgorithm) {
        // try the next one
      }
    }
    throw new InvalidRequestException(
        null, "the TLS private key file " + file + " holds no RSA, EC or EdDSA private key");
  }

  /** The first private key of a PKCS#12 keystore, with its chain. */
  static KeyAndChain keyStore(Path file, @Nullable String password) {
    byte[] bytes = read(file, "TLS keystore");
    char[] secret = password == null ? new char[0] : password.toCharArray();
    try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, secret);
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          PrivateKey key = (PrivateKey) store.getKey(alias, secret);
          Certificate[] chain = store.getCertificateChain(alias);
          if (key != null && chain != null && chain.length > 0) {
            List<X509Certificate> certs = new ArrayList<>();
            for (Certificate c : chain) {
              certs.add((X509Certificate) c);
            }
            return new KeyAndChain(key, certs.toArray(X509Certificate[]::new));
          }
        }
      }
    } catch (IOException | GeneralSecurityException e) {
      // A wrong password surfaces as an IOException whose message names no secret.
      throw new InvalidRequestException(
          null,
          "the TLS keystore " + file + " cannot be opened (not PKCS#12, or a wrong password)");
    }
    throw new InvalidRequestException(
        null, "the TLS keystore " + file + " holds no private key with a certificate");
  }

  /** A key and chain from the two PEM files, checked to belong together. */
  static KeyAndChain pem(Path certChain, Path keyFile, String what) {
    X509Certificate[] chain = certificates(certChain, what + " certificate");
    PrivateKey key = privateKey(keyFile);
    if (!matches(key, chain[0].getPublicKey())) {
      throw new InvalidRequestException(
          null,
          "the TLS private key file "
              + keyFile
              + " does not belong to the certificate in "
              + certChain);
    }
    return new KeyAndChain(key, chain);
  }

  /** Signs a random challenge with the key and verifies it with the certificate's public key. */
  static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          case "Ed448" -> "Ed448";
          default -> null;
        };
    if (algorithm == null || !key.getAlgorithm().equals(publicKey.getAlgorithm())) {
      return algorithm == null; // an algorithm this check cannot sign with: the handshake tells
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static byte[] read(Path file, String what) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidRequestException(null, "the " + what + " file " + file + " does not exist");
    } catch (IOException e) {
      throw new InvalidRequestException(null, "the " + what + " file " + file + " cannot be read");
    }
  }
}
