package io.segmenttransfer.server.cli;

import io.segmenttransfer.server.daemon.SegmentServer;
import io.segmenttransfer.server.daemon.ServerConfig;
import io.segmenttransfer.server.daemon.ServerSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code server}: the daemon. Flags override the config file, which overrides the defaults. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    header =
        "Runs a server that follows the controller's assignment and serves its segments to peers.",
    description =
        "Runs a server: serves its segments to peers, registers with the controller, bootstraps every segment assigned to it (deep store first, peers as fallback) and follows assignment changes. Settings (file keys): controller, dataDir, host, adminPort, instanceId, deepStore, maxParallelDownloads, maxParallelDownloadsPerTable, maxPeerUploads, peerBytesPerSecond, longPoll, shutdownDeadline, keyset, s3.endpoint, s3.region, s3.pathStyle, authFile.")
final class ServerCommand implements Callable<Integer> {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Settings file: YAML (.yml/.yaml) or properties.")
  Path configFile;

  @Option(
      names = "--controller",
      paramLabel = "URL",
      description = "The controller, e.g. http://127.0.0.1:9000.")
  String controller;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "The data directory.")
  Path dataDir;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      description = "Admin and peer HTTP port, 0-65535 (default 8097; 0 picks a free one).")
  Integer adminPort;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "Host peers reach this server at (default 127.0.0.1).")
  String host;

  @Option(
      names = "--instance-id",
      paramLabel = "ID",
      description = "Instance id (default Server_<host>_<adminPort>).")
  String instanceId;

  @Option(
      names = "--deep-store",
      paramLabel = "URI",
      description =
          "Where to upload this server's copies when asked (file:///dir or s3://bucket/prefix).")
  String deepStore;

  /** The S3 client for an s3:// deep store and s3:// download URLs (the s3.* settings). */
  @Mixin S3Options s3;

  @Mixin ListenerLimitsOptions limits;

  @Option(
      names = "--max-parallel-downloads",
      paramLabel = "N",
      description = "Downloads at once, 1 or more (default 4).")
  Integer maxParallelDownloads;

  @Option(
      names = "--auth-file",
      paramLabel = "FILE",
      description =
          "YAML list of principals (hashed password or token, permissions) every request to the"
              + " admin and peer port must authenticate as; without it every route is open.")
  Path authFile;

  /** HTTPS on the admin port, and how it calls the controller and peers (tls.*, auth.*). */
  @Mixin TlsOptions tls;

  @Mixin ClientSecurityOptions security;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    ServerConfig config =
        limits
            .overrideIn(ServerSettings.fromFile(configFile))
            .override("controller", controller)
            .override("dataDir", dataDir)
            .override("adminPort", adminPort)
            .override("host", host)
            .override("instanceId", instanceId)
            .override("deepStore", deepStore)
            .override("maxParallelDownloads", maxParallelDownloads)
            .override("s3.endpoint", s3.endpoint)
            .override("s3.region", s3.region)
            .override("s3.pathStyle", s3.pathStyle)
            .override("authFile", authFile)
            .override("tls.cert", ClientSecurityOptions.absolute(tls.cert))
            .override("tls.key", ClientSecurityOptions.absolute(tls.key))
            .override("tls.clientCa", ClientSecurityOptions.absolute(tls.clientCa))
            .override("tls.trust", ClientSecurityOptions.absolute(security.trust))
            .override("tls.clientCert", ClientSecurityOptions.absolute(security.clientCert))
            .override("tls.clientKey", ClientSecurityOptions.absolute(security.clientKey))
            .override("auth.token", security.token)
            .override("auth.user", security.user)
            .toConfig();
    // The PEM files are checked before anything starts: a bad one is one line naming it.
    config.security().listener().ifPresent(io.segmenttransfer.http.tls.ServerTls::load);
    config.security().client().configure(reactor.netty.http.client.HttpClient.create());
    // No time limit: the server waits for a controller that is not up yet (it says so), and a
    // signal ends the wait.
    SegmentServer server = SegmentServer.start(config).block();
    StopSignal stop = new StopSignal(server::close);
    ReloadSignal.install();
    spec.commandLine()
        .getOut()
        .println(
            server.instanceId()
                + " listening on "
                + server.baseUrl()
                + " (controller "
                + config.controller()
                + ", data "
                + config.dataDir()
                + ")");
    spec.commandLine().getOut().flush();
    OpenSurfaceWarning.unlessSecured(
        config.authFile(), server.instanceId(), server.baseUrl(), spec);
    PrintWriter out = spec.commandLine().getOut();
    server
        .firstLoad()
        .subscribe(
            loaded -> {
              out.println(server.instanceId() + " " + loaded);
              out.flush();
            });
    stop.await();
    server.close();
    spec.commandLine().getOut().println(server.instanceId() + " stopped");
    spec.commandLine().getOut().flush();
    return 0;
  }
}
