/**
 * What routing, pool matching and load balancing need to know about a handshake request,
 * independent of the server that received it (so they can be unit-tested without sockets).
 */
@NullMarked
package io.wsgate.request;

import org.jspecify.annotations.NullMarked;
