package io.segmenttransfer.server.cli;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.sync.DeepStoreSyncConfig;
import io.segmenttransfer.controller.sync.ProcessorOptions;
import io.segmenttransfer.controller.sync.SyncMode;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.http.limits.ListenerLimits;
import io.segmenttransfer.s3.S3SegmentStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code controller}: runs the embedded controller until SIGTERM or SIGINT, then stops it cleanly
 * and exits 0. Every acknowledged change is on disk already, so stopping loses nothing. With an
 * {@code s3://bucket/prefix} deep store it builds its S3 client from the {@code --s3-*} options,
 * and segments' download URLs are their S3 URIs, read by the servers themselves.
 */
@Command(
    name = "controller",
    mixinStandardHelpOptions = true,
    header = "Runs a lightweight Pinot-compatible controller until stopped.",
    description =
        "Runs a lightweight Pinot-compatible controller: tables, segment upload and download, metadata, instances, ideal state and external view, state kept under --data-dir.")
final class ControllerCommand implements Callable<Integer> {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  @Mixin ListenerLimitsOptions limits;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "" + ControllerConfig.DEFAULT_PORT,
      description = "HTTP port, 0-65535 (0 picks a free one). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--data-dir",
      required = true,
      paramLabel = "DIR",
      description = "Directory for the controller's state.")
  Path dataDir;

  @Option(
      names = "--deep-store",
      paramLabel = "URI",
      description =
          "Deep store URI: file:///dir or s3://bucket/prefix. Default: file://<data-dir>/deepstore.")
  String deepStore;

  @Mixin S3Options s3;

  /** HTTPS on its port, and how it calls servers (replica uploads, staleness). */
  @Mixin TlsOptions tls;

  @Mixin ClientSecurityOptions security;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      defaultValue = ControllerConfig.DEFAULT_HOST,
      description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(
      names = "--advertised-host",
      paramLabel = "HOST",
      description =
          "Host name put into download URLs. Default: the --host address (127.0.0.1 for 0.0.0.0).")
  String advertisedHost;

  @Option(
      names = "--sync-interval",
      paramLabel = "DURATION",
      defaultValue = "0",
      converter = HttpOptions.DurationConverter.class,
      description =
          "Between scheduled deep-store sync runs over every table (reloadOnly: what servers report"
              + " stale), ISO-8601 (PT1H) or seconds; 0 runs it on demand only. Default: 0.")
  Duration syncInterval;

  @Option(
      names = "--sync-processor",
      defaultValue = ProcessorOptions.PINOT,
      description = "What scheduled sync runs rebuild with: pinot, recompress or command.")
  String syncProcessor;

  @Option(names = "--sync-codec", description = "Scheduled recompress: zstd, gzip, lz4 or none.")
  String syncCodec;

  @Option(
      names = "--sync-command",
      paramLabel = "\"PROGRAM ARGS\"",
      description = "Scheduled command processor: the program ({dir} is the segment directory).")
  String syncCommand;

  @Option(
      names = "--instance-session",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "Seconds an instance stays live after its last request when no long poll of its is open;"
              + " another registration of a live id from a different host or port is refused."
              + " Default: ${DEFAULT-VALUE}.")
  long instanceSessionSeconds;

  @Option(
      names = "--auth-file",
      paramLabel = "FILE",
      description =
          "YAML list of principals (hashed password or token, permissions) every request must"
              + " authenticate as; without it every route is open.")
  Path authFile;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  private DeepStoreSyncConfig syncConfig() {
    try {
      return DeepStoreSyncConfig.defaults()
          .withInterval(syncInterval)
          .withSchedule(
              SyncMode.RELOAD_ONLY,
              new ProcessorOptions(syncProcessor, syncCodec, null, syncCommand));
    } catch (InvalidRequestException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    URI store = deepStore == null ? null : SegmentStores.toUri(deepStore);
    ControllerConfig config =
        new ControllerConfig(port, dataDir, store, host, advertisedHost, null)
            .withDeepStoreSync(syncConfig())
            .withInstanceSession(Duration.ofSeconds(instanceSessionSeconds))
            .withAuthFile(authFile)
            .withListenerLimits(limits.applyTo(ListenerLimits.defaults()))
            .withSecurity(
                new io.segmenttransfer.http.tls.SecuritySettings(
                    tls.toConfig(), security.toClientSecurity()));
    // Only an S3 deep store needs an SDK client; the controller does not close the stores it is
    // given.
    S3SegmentStore s3Store =
        "s3".equalsIgnoreCase(config.deepStore().getScheme()) ? s3.newStore() : null;
    List<SegmentStore> stores = s3Store == null ? List.of() : List.of(s3Store);
    EmbeddedController controller;
    try {
      controller = EmbeddedController.create(config, stores).block(START_TIMEOUT);
    } catch (RuntimeException e) {
      closeStore(s3Store);
      throw e;
    }
    StopSignal stop = new StopSignal(controller::close);
    ReloadSignal.install();
    spec.commandLine().getOut().println("controller listening on " + controller.baseUrl());
    OpenSurfaceWarning.unlessSecured(authFile, "controller", controller.baseUrl(), spec);
    spec.commandLine().getOut().flush();
    stop.await();
    controller.close();
    closeStore(s3Store);
    spec.commandLine().getOut().println("controller stopped");
    spec.commandLine().getOut().flush();
    return 0;
  }

  private static void closeStore(S3SegmentStore store) {
    if (store != null) {
      store.close();
    }
  }
}
