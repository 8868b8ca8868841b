package io.segmenttransfer.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.testing.PinotFixtures;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The peer handler reads the segment name of its path decoded: a space, a plus sign (sent escaped
 * and as such) and a literal {@code %2B}, all legal in a segment name.
 */
class EncodedSegmentNameTest {

  /** The name as the segment has it. */
  private static final String NAME = "events 0+1%2B";

  /** The name as a client puts it in a path. */
  private static final String ENCODED = "events%200%2B1%252B";

  /** The same with the plus sign sent as such, which a path allows. */
  private static final String PLUS_AS_IS = "events%200+1%252B";

  private static Scheduler scheduler;
  private TestPeer peer;

  @TempDir Path root;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(4, 1000, "encoded-peer-io");
  }

  @AfterAll
  static void stop() {
    scheduler.dispose();
  }

  @AfterEach
  void closePeer() {
    if (peer != null) {
      peer.close();
    }
  }

  @Test
  void servesASegmentWhoseNameNeedsEscaping() throws Exception {
    String fixture = PinotFixtures.archives().get(0).segmentName();
    peer = new TestPeer(root, "p", scheduler, c -> c, fixture);
    Path table = peer.dataDir.resolve(TestPeer.TABLE);
    Files.move(table.resolve(fixture), table.resolve(NAME));

    Answers.Answer whole = Answers.get(uri(ENCODED), h -> {});
    assertThat(whole.status()).as(new String(whole.body())).isEqualTo(200);
    assertThat(Answers.entries(whole.body())).containsKey(NAME + "/");
    assertThat(whole.header("Content-Disposition")).contains(NAME + ".tar.gz");

    Answers.Answer plus = Answers.get(uri(PLUS_AS_IS), h -> {});
    assertThat(plus.status()).isEqualTo(200);
    assertThat(plus.body()).isEqualTo(whole.body());

    Answers.Answer head = Answers.exchange(uri(PLUS_AS_IS), "HEAD", h -> {});
    assertThat(head.status()).isEqualTo(200);

    Answers.Answer tail = Answers.get(uri(ENCODED), h -> h.set("Range", "bytes=1000-"));
    assertThat(tail.status()).isEqualTo(206);
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(whole.body(), 1000, whole.body().length));

    // The escaped form is not another segment that happens to be missing.
    assertThat(Answers.get(uri("events%200%2B1%2B"), h -> {}).status()).isEqualTo(404);
  }

  @Test
  void anEscapeThatIsNotUtf8IsABadRequest() {
    peer = new TestPeer(root, "q", scheduler, c -> c);
    Answers.Answer answer = Answers.get(uri("%FF"), h -> {});
    assertThat(answer.status()).isEqualTo(400);
    assertThat(new String(answer.body())).contains("\"code\":400");
  }

  private URI uri(String encodedSegment) {
    return URI.create(
        "http://127.0.0.1:"
            + peer.adminPort()
            + "/segments/"
            + TestPeer.TABLE
            + "/"
            + encodedSegment);
  }
}
