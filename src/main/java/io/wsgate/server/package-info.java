/**
 * The listeners: one Reactor Netty server per {@code http-servers} entry, each routing its
 * requests to pipelines.
 */
@NullMarked
package io.wsgate.server;

import org.jspecify.annotations.NullMarked;
