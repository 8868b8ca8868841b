/**
 * The command line: Main dispatches picocli subcommands (controller, server, extract, load, reload,
 * recover, bootstrap, quickstart, commit, archive) that parse flags, build their pipeline with
 * TransferRuntime and print summaries. Exit codes and one-line errors come from ErrorReporter; the
 * work itself lives in the core, daemon and controller packages.
 */
package io.segmenttransfer.server.cli;
