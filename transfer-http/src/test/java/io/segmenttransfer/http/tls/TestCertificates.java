package io.segmenttransfer.http.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made by the tests, never checked in: a certificate authority and the server and
 * client certificates it signs, written as PEM files (certificate chain, unencrypted PKCS#8 key)
 * the way an operator would hand them to {@code --tls-cert}/{@code --tls-key}. EC P-256 keys, which
 * are quick to generate.
 */
public final class TestCertificates {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A certificate and its key as PEM files. */
  public record Pem(Path certificate, Path key, X509Certificate x509) {}

  /** A CA: its certificate as a PEM file (to trust) and the key it signs with. */
  public static final class Authority {
    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate certificate;
    private final Path certificateFile;

    private Authority(X500Name name, KeyPair keys, X509Certificate certificate, Path file) {
      this.name = name;
      this.keys = keys;
      this.certificate = certificate;
      this.certificateFile = file;
    }

    /** The CA certificate's PEM file: what a client trusts, or a listener's client CA. */
    public Path certificate() {
      return certificateFile;
    }

    /**
     * A leaf certificate for {@code names} (DNS names, or IP addresses such as {@code 127.0.0.1}),
     * signed by this CA, written to {@code <dir>/<stem>.crt} and {@code <stem>.key} (replacing
     * files already there, as a rotation would).
     */
    public Pem issue(Path dir, String stem, String commonName, String... names) {
      try {
        KeyPair leaf = ecKeys();
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder =
            new JcaX509v3CertificateBuilder(
                name,
                BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(2))),
                new X500Name("CN=" + commonName),
                leaf.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(
            Extension.keyUsage,
            true,
            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        if (names.length > 0) {
          List<GeneralName> alternatives = new ArrayList<>();
          for (String n : names) {
            alternatives.add(
                Character.isDigit(n.charAt(0)) || n.contains(":")
                    ? new GeneralName(
                        GeneralName.iPAddress,
                        new org.bouncycastle.asn1.DEROctetString(
                            InetAddress.getByName(n).getAddress()))
                    : new GeneralName(GeneralName.dNSName, n));
          }
          builder.addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(alternatives.toArray(GeneralName[]::new)));
        }
        X509Certificate x509 = sign(builder, keys);
        Path cert = dir.resolve(stem + ".crt");
        Path key = dir.resolve(stem + ".key");
        writeAtomically(key, pem("PRIVATE KEY", leaf.getPrivate().getEncoded()));
        writeAtomically(
            cert,
            pem("CERTIFICATE", x509.getEncoded()) + pem("CERTIFICATE", certificate.getEncoded()));
        return new Pem(cert, key, x509);
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException("cannot issue a test certificate", e);
      }
    }
  }

  private TestCertificates() {}

  /** A new self-signed CA whose certificate is written to {@code <dir>/<stem>.crt}. */
  public static Authority authority(Path dir, String stem) {
    try {
      KeyPair keys = ecKeys();
      X500Name name = new X500Name("CN=" + stem + " test CA");
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(2))),
              name,
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate certificate = sign(builder, keys);
      Path file = dir.resolve(stem + ".crt");
      Files.writeString(file, pem("CERTIFICATE", certificate.getEncoded()));
      return new Authority(name, keys, certificate, file);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot make a test CA", e);
    }
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** Written beside and moved over, as rotation tools do, so a reader never sees half a file. */
  private static void writeAtomically(Path file, String text) {
    try {
      Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
      Files.writeString(temp, text, StandardCharsets.US_ASCII);
      Files.move(
          temp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
