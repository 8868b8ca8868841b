package io.segmenttransfer.http.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class AuthenticatorTest {

  static final Duration WAIT = Duration.ofSeconds(10);
  static final String PASSWORD = "pa:ss word";
  static final String TOKEN = TokenHashes.newToken();

  static final AuthFile FILE =
      new AuthFile(
          java.nio.file.Path.of("auth.yml"),
          List.of(
              new AuthFile.Entry(
                  new Principal("ops", EnumSet.of(Permission.ADMIN)),
                  null,
                  PasswordHashes.hash(PASSWORD.toCharArray(), 4)),
              new AuthFile.Entry(
                  new Principal("server-1", EnumSet.of(Permission.SERVER)),
                  TokenHashes.sha256Hex(TOKEN),
                  null),
              new AuthFile.Entry(
                  new Principal("reader", EnumSet.of(Permission.READ)),
                  TokenHashes.sha256Hex(TOKEN + "2"),
                  null),
              new AuthFile.Entry(
                  new Principal("root", EnumSet.allOf(Permission.class)),
                  TokenHashes.sha256Hex(TOKEN + "3"),
                  null)));

  /** Counts the password checks it runs, so a test sees when the cache answered instead. */
  final AtomicInteger checksRun = new AtomicInteger();

  final Executor counting =
      task -> {
        checksRun.incrementAndGet();
        Schedulers.boundedElastic().schedule(task);
      };

  final Authenticator authenticator = new Authenticator(FILE, Schedulers.fromExecutor(counting));

  @Test
  void bearerTokenOfAPrincipal() {
    expect("Bearer " + TOKEN, "server-1");
    expect("bearer " + TOKEN + "2", "reader");
    expect("Bearer " + TOKEN + "x", null);
    expect("Bearer ", null);
    // The hash itself is not the token.
    expect("Bearer " + TokenHashes.sha256Hex(TOKEN), null);
  }

  @Test
  void basicCredentialsCheckedOnceThenCached() {
    expect(basic("ops", PASSWORD), "ops");
    assertThat(checksRun).hasValue(1);
    expect(basic("ops", PASSWORD), "ops");
    expect(basic("ops", PASSWORD), "ops");
    assertThat(checksRun).hasValue(1);

    // Wrong passwords are checked every time: nothing about a failure is remembered.
    expect(basic("ops", PASSWORD + "!"), null);
    expect(basic("ops", PASSWORD + "!"), null);
    assertThat(checksRun).hasValue(3);
  }

  @Test
  void unknownNamesCostACheckToo() {
    // Against a real hash, so an unknown name takes as long as a wrong password.
    expect(basic("nobody", PASSWORD), null);
    assertThat(checksRun).hasValue(1);
    // A token principal has no password.
    expect(basic("server-1", TOKEN), null);
  }

  @Test
  void malformedHeadersAuthenticateNobody() {
    expect(null, null);
    expect("", null);
    expect("Basic", null);
    expect("Basic !!!not-base64", null);
    expect(
        "Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)),
        null);
    expect("Digest username=\"ops\"", null);
    assertThat(checksRun).hasValue(0);
  }

  @Test
  void tooManyPendingChecksAreRefusedNotQueued() {
    List<Runnable> parked = new ArrayList<>();
    Authenticator oneAtATime = new Authenticator(FILE, Schedulers.fromExecutor(parked::add), 1, 16);

    reactor.core.Disposable first = oneAtATime.authenticate(basic("ops", "guess-1")).subscribe();
    StepVerifier.create(oneAtATime.authenticate(basic("ops", "guess-2")))
        .expectError(Authenticator.TooManyChecksException.class)
        .verify(WAIT);

    // A check given up on frees its place.
    first.dispose();
    parked.clear();
    oneAtATime.authenticate(basic("ops", "guess-3")).subscribe();
    assertThat(parked).hasSize(1);
  }

  private void expect(String header, String principal) {
    var answer = authenticator.authenticate(header).map(Principal::name);
    if (principal == null) {
      StepVerifier.create(answer).expectComplete().verify(WAIT);
    } else {
      StepVerifier.create(answer).expectNext(principal).expectComplete().verify(WAIT);
    }
  }

  static String basic(String name, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((name + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
