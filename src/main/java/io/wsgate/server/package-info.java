/**
 * The listeners: one Reactor Netty server per {@code http-servers} entry, each routing its
 * requests to pipelines.
 */
package io.wsgate.server;
