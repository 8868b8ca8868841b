package io.segmenttransfer.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.segment.SegmentId;
import java.net.URI;
import org.junit.jupiter.api.Test;

class DownloadUrlsTest {

  private final DownloadUrls urls = new DownloadUrls(() -> "http://ctl.example:9000");
  private final SegmentId segment = SegmentId.of("events_REALTIME", "events 0%");

  @Test
  void aRemoteDeepStoreArchiveIsItsOwnDownloadUrl() {
    URI archive = URI.create("s3://bucket/prefix/events_REALTIME/events%200%25.tar.gz");

    assertThat(urls.forArchive(segment, archive))
        .isEqualTo("s3://bucket/prefix/events_REALTIME/events%200%25.tar.gz");
  }

  @Test
  void aLocalDirectoryArchiveIsServedByTheController() {
    assertThat(
            urls.forArchive(segment, URI.create("file:///var/deepstore/events_REALTIME/x.tar.gz")))
        .isEqualTo("http://ctl.example:9000/segments/events/events%200%25");
    assertThat(urls.forArchive(segment, URI.create("/var/deepstore/events_REALTIME/x.tar.gz")))
        .isEqualTo("http://ctl.example:9000/segments/events/events%200%25");
  }
}
