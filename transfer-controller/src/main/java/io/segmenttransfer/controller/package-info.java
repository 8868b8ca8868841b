/**
 * The embedded controller: EmbeddedController (configured by ControllerConfig) serves Pinot's
 * controller REST surface with reactor-netty, keeps its state in memory and, durably, in a
 * FileControllerStore, and plans segment assignments. Uploads are inspected while they stream into
 * the deep store; the routes and planner are package-private, the state, JSON plumbing, multipart
 * parser and archive inspector public only for the {@code completion} sub-package (the segment
 * completion protocol), and the wire model comes from controller-client.
 */
package io.segmenttransfer.controller;
