/**
 * The controller's periodic tasks: PeriodicTasks runs each PeriodicTask on its interval and on
 * demand ({@code GET /periodictask/run?taskname=...}), one run of a task at a time.
 * DeepStoreRepairTask (Pinot's RealtimeSegmentValidationManager, its deep-store part) asks an
 * ONLINE replica of every completed segment missing from the deep store to upload its copy, and
 * records where it went through a RepairCatalog, which the controller implements over its state.
 */
package io.segmenttransfer.controller.task;
