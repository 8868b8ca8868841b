/**
 * ControllerClient, the reactor-netty HTTP client of the controller's REST surface that servers,
 * commands and benchmarks use: registration, long-polled assignments, state reports, tables,
 * segment metadata and archive uploads. It maps HTTP answers to the project's
 * SegmentTransferExceptions and serves as the SegmentMetadataSource of data directories; the JSON
 * shapes live in controller.api.
 */
@NullMarked
package io.segmenttransfer.controller.client;

import org.jspecify.annotations.NullMarked;
