package io.wsgate.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * {@code /actuator/dashboard}: a live page (static HTML and JavaScript, no build step) that polls
 * {@code /actuator/wsgate} and its history, and shows the build, pools, servers, traffic, charts of
 * the last 15 minutes and closes. It loads nothing from elsewhere, so it works offline. Served as an
 * Actuator endpoint so it is always on the management port, next to the data it reads.
 */
@WebEndpoint(id = "dashboard")
public final class DashboardEndpoint {

	private final String page;

	public DashboardEndpoint() {
		try (InputStream in = DashboardEndpoint.class.getResourceAsStream("/wsgate/dashboard.html")) {
			this.page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("the dashboard page is part of the jar", ex);
		}
	}

	@ReadOperation(produces = "text/html;charset=UTF-8")
	public String page() {
		return page;
	}
}
