/**
 * The frame path: plain Netty handlers in a session's two channels, composed by
 * {@link io.wsgate.proxy.frame.FramePath}. Frames go from one channel to the other on the event
 * loop, decoded by Netty for the first message and as raw bytes after it, counted, held to the
 * limits and checked as Netty checks them; what ends the session is reported to it through
 * {@link io.wsgate.proxy.frame.FrameEvents}.
 */
@NullMarked
package io.wsgate.proxy.frame;

import org.jspecify.annotations.NullMarked;
