package io.wsgate.metrics;

/** The {@code type} tag of {@code wsgate.messages} and {@code wsgate.bytes}: a message's frame type. */
public enum MessageType implements TagValue {

	TEXT, BINARY
}
