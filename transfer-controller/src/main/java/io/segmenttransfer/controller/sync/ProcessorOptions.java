package io.segmenttransfer.controller.sync;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * The processor a run uses and its options, as a request names them: {@code processor=pinot},
 * {@code processor=recompress&codec=zstd[&level=N]}, {@code processor=command&command=PROGRAM
 * ARGS}. Checked when built, so a bad option refuses the run before anything starts.
 */
public record ProcessorOptions(
    String processor, @Nullable String codec, @Nullable Integer level, @Nullable String command) {

  public static final String PINOT = "pinot";
  public static final String RECOMPRESS = "recompress";
  public static final String COMMAND = "command";

  public ProcessorOptions {
    processor = processor == null || processor.isBlank() ? PINOT : processor.trim();
    switch (processor.toLowerCase(Locale.ROOT)) {
      case PINOT -> {}
      case RECOMPRESS -> {
        if (codec == null || codec.isBlank()) {
          throw new InvalidRequestException(
              null, "processor recompress needs codec=zstd, gzip, lz4 or none");
        }
        new ArchiveFormat(codec(codec), level);
      }
      case COMMAND -> {
        if (command == null || command.isBlank()) {
          throw new InvalidRequestException(
              null, "processor command needs command=\"PROGRAM ARGS\" ({dir} is the segment)");
        }
        CommandProcessor.words(command);
      }
      default ->
          throw new InvalidRequestException(
              null, "unknown processor '" + processor + "': expected pinot, recompress or command");
    }
    processor = processor.toLowerCase(Locale.ROOT);
    if (level != null && !RECOMPRESS.equals(processor)) {
      throw new InvalidRequestException(null, "level is an option of processor recompress only");
    }
  }

  public static ProcessorOptions pinot() {
    return new ProcessorOptions(PINOT, null, null, null);
  }

  public static ProcessorOptions recompress(Codec codec, @Nullable Integer level) {
    return new ProcessorOptions(RECOMPRESS, codec.name(), level, null);
  }

  public static ProcessorOptions command(String command) {
    return new ProcessorOptions(COMMAND, null, null, command);
  }

  /** The processor; for {@code pinot}, fails when its jar cannot be found. */
  SegmentProcessor create(Scheduler scheduler) {
    return switch (processor) {
      case RECOMPRESS -> new RecompressProcessor(new ArchiveFormat(codec(codec), level));
      case COMMAND -> CommandProcessor.of(command, scheduler);
      default -> PinotProcessor.create(scheduler);
    };
  }

  private static Codec codec(String name) {
    return Codec.named(name)
        .orElseThrow(
            () ->
                new InvalidRequestException(
                    null, "unknown codec '" + name + "': expected zstd, gzip, lz4 or none"));
  }
}
