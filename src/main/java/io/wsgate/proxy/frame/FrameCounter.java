package io.wsgate.proxy.frame;

/** Counts the frames one side sends, for the session's summary and the server's meters. */
public interface FrameCounter {

	/** Counts a frame of {@code size} payload bytes (control frames are the counter's to ignore). */
	void count(int opcode, long size);
}
