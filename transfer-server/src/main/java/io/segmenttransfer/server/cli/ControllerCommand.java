package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code controller}: runs the embedded controller until SIGTERM or SIGINT, then stops it cleanly
 * and exits 0. Every acknowledged change is on disk already, so stopping loses nothing.
 */
@Command(name = "controller", mixinStandardHelpOptions = true,
    description = {"Runs a lightweight Pinot-compatible controller: tables, segment upload and download,",
        "metadata, instances, ideal state and external view, state kept under --data-dir."})
final class ControllerCommand implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "" + ControllerConfig.DEFAULT_PORT,
      description = "HTTP port (0 picks a free one). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--data-dir", required = true, description = "Directory for the controller's state.")
  Path dataDir;

  @Option(names = "--deep-store", description = "Deep store URI. Default: file://<data-dir>/deepstore.")
  String deepStore;

  @Option(names = "--host", defaultValue = ControllerConfig.DEFAULT_HOST,
      description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--advertised-host",
      description = "Host name put into download URLs. Default: the --host address (127.0.0.1 for 0.0.0.0).")
  String advertisedHost;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    URI store = deepStore == null ? null : SegmentStores.toUri(deepStore);
    ControllerConfig config = new ControllerConfig(port, dataDir, store, host, advertisedHost, null);
    EmbeddedController controller = EmbeddedController.start(config);
    StopSignal stop = new StopSignal(controller::close);
    spec.commandLine().getOut().println("controller listening on " + controller.baseUrl());
    spec.commandLine().getOut().flush();
    stop.await();
    controller.close();
    spec.commandLine().getOut().println("controller stopped");
    spec.commandLine().getOut().flush();
    return 0;
  }
}
