/**
 * The WebSocketProxy filter: validates the client's handshake, dials a backend first (so a
 * refusal is relayed as an HTTP status), then upgrades the client and bridges frames both ways
 * with close codes, message size limits and backpressure.
 */
package io.wsgate.proxy;
