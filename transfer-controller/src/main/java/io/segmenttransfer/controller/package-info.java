/**
 * The embedded controller: EmbeddedController (configured by ControllerConfig) serves Pinot's
 * controller REST surface with reactor-netty, keeps its state in memory and, durably, in a
 * FileControllerStore, and plans segment assignments. Uploads are inspected while they stream
 * into the deep store; the routes, state, multipart parser and planner are package-private, and
 * the wire model comes from controller-client.
 */
package io.segmenttransfer.controller;
