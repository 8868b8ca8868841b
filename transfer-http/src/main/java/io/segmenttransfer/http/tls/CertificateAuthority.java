package io.segmenttransfer.http.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.DEROctetString;
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
 * A certificate authority made on the spot, and the leaf certificates it signs, written as the PEM
 * files {@code --tls-cert}, {@code --tls-key}, {@code --tls-trust} and {@code --tls-client-ca} take
 * (certificate chain; unencrypted PKCS#8 key, readable by its owner only). For a cluster that lives
 * as long as one run ({@code quickstart --secure}) and for tests; a real cluster uses its
 * organisation's CA.
 *
 * <p>EC P-256 keys (quick to make, accepted by both TLS engines). The JDK has no public API to
 * build certificates, so BouncyCastle's does it; transfer-http declares it optional: a module that
 * calls this class brings {@code bcpkix-jdk18on} itself.
 */
public final class CertificateAuthority {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Certificates are valid from this long ago, so clocks a little behind accept them. */
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  /** A leaf certificate and its key as PEM files. */
  public record Issued(Path certificate, Path key, X509Certificate x509) {}

  private final X500Name name;
  private final KeyPair keys;
  private final X509Certificate certificate;
  private final Path certificateFile;

  private CertificateAuthority(
      X500Name name, KeyPair keys, X509Certificate certificate, Path certificateFile) {
    this.name = name;
    this.keys = keys;
    this.certificate = certificate;
    this.certificateFile = certificateFile;
  }

  /**
   * A new self-signed CA named {@code CN=<commonName>}, valid for {@code validity}, its certificate
   * written to {@code <dir>/<stem>.crt}. Its private key stays in memory only.
   */
  public static CertificateAuthority create(
      Path dir, String stem, String commonName, Duration validity) {
    try {
      KeyPair keys = ecKeys();
      X500Name name = new X500Name("CN=" + commonName);
      JcaX509v3CertificateBuilder builder = builder(name, name, keys, validity);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate certificate = sign(builder, keys);
      Path file = dir.resolve(stem + ".crt");
      write(file, pem("CERTIFICATE", certificate.getEncoded()), false);
      return new CertificateAuthority(name, keys, certificate, file);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot make a certificate authority: " + e.getMessage(), e);
    }
  }

  /** The CA certificate's PEM file: what clients trust, or a listener's client CA. */
  public Path certificate() {
    return certificateFile;
  }

  /**
   * A leaf certificate for {@code names} (DNS names, or IP addresses such as {@code 127.0.0.1}) as
   * subject alternative names, signed by this CA, written to {@code <dir>/<stem>.crt} (the leaf,
   * then this CA) and {@code <stem>.key}, replacing files already there the way a rotation does:
   * each written beside and moved over, so a reader never sees half a file.
   */
  public Issued issue(
      Path dir, String stem, String commonName, Duration validity, String... names) {
    try {
      KeyPair leaf = ecKeys();
      JcaX509v3CertificateBuilder builder =
          builder(name, new X500Name("CN=" + commonName), leaf, validity);
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
                      new DEROctetString(InetAddress.getByName(n).getAddress()))
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
      write(key, pem("PRIVATE KEY", leaf.getPrivate().getEncoded()), true);
      write(
          cert,
          pem("CERTIFICATE", x509.getEncoded()) + pem("CERTIFICATE", certificate.getEncoded()),
          false);
      return new Issued(cert, key, x509);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot issue a certificate: " + e.getMessage(), e);
    }
  }

  private static JcaX509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair subjectKeys, Duration validity) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(64, RANDOM).add(BigInteger.ONE), // positive, unique enough per CA
        Date.from(now.minus(CLOCK_SKEW)),
        Date.from(now.plus(validity)),
        subject,
        subjectKeys.getPublic());
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

  private static void write(Path file, String text, boolean ownerOnly) {
    try {
      Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
      if (ownerOnly && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      }
      Files.writeString(temp, text, StandardCharsets.US_ASCII);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
