package io.segmenttransfer.core.local;

import java.nio.file.Path;

/** One leftover found at startup and what recovery did with it. */
public record RecoveryAction(Path path, String action) {}
