/**
 * The controller's wire model, shared by the controller and its clients: TableConfig, Assignment,
 * ExternalView and SegmentState, and ControllerJson for the JSON shapes of Pinot's REST surface
 * (instances, views, assignments). Pure data and JSON mapping: no HTTP and no state here.
 */
package io.segmenttransfer.controller.api;
