package io.wsgate.it;

import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import io.wsgate.status.TrafficSampler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The traffic history behind the dashboard's charts, sampled from real sessions and handshakes, and
 * the charts and the refusals by filter as headless Chromium draws them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardChartsIntegrationTests {

	/** The series colours of dashboard.html, used nowhere else on the page but in its legend swatches. */
	private static final Map<String, Integer> SERIES_COLOURS = Map.of("active", 0x3fd0c9, "messages", 0xa78bfa,
			"handshakes", 0xe879f9, "refusals", 0xff8a3d);

	private final TestBackend backend = new TestBackend();

	private final TestBackend refusing = new TestBackend().refuseWith(403);

	private Gateway gateway;

	@BeforeAll
	void start() {
		gateway = GatewayYaml.edge()
			.proxyName("proxy")
			.proxy("path: /ws", "echo", "ws://127.0.0.1:${backend}")
			.proxyName("refusing")
			.proxy("path: /refused", "refused", "ws://127.0.0.1:${refusing}")
			.start(Map.of("backend", backend.port(), "refusing", refusing.port()));
	}

	@AfterAll
	void stop() {
		gateway.close();
		backend.close();
		refusing.close();
	}

	@Test
	void historyHasOneSampleASecondOfSessionsAndRatesFromTheCounters() throws Exception {
		try (TestClient client = trafficAndARefusal()) {
			String json = gateway.management("/actuator/wsgate/history");
			assertThat((Integer) JsonPath.read(json, "$.intervalMillis")).isEqualTo(1000);
			assertThat((Integer) JsonPath.read(json, "$.capacity")).isEqualTo(900);
			List<Number> times = JsonPath.read(json, "$.time");
			assertThat(times).hasSizeGreaterThanOrEqualTo(2).hasSizeLessThanOrEqualTo(900);
			for (int i = 1; i < times.size(); i++) {
				long step = times.get(i).longValue() - times.get(i - 1).longValue();
				// One a second; a loaded machine may delay a reading, never bunch two together.
				assertThat(step).isBetween(900L, 5000L);
			}
			for (String series : List.of("activeSessions", "messagesPerSecond", "handshakesPerSecond", "refusalsPerSecond")) {
				assertThat(JsonPath.<List<Object>>read(json, "$." + series)).as(series).hasSameSizeAs(times);
			}
		}
	}

	@Test
	void aPartOtherThanHistoryIsNotFound() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.managementPort() + "/actuator/wsgate/nothing"))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(404);
	}

	@Test
	void chartsDrawTheSamplesAndThePageShowsTheVersion(@TempDir Path profile) throws Exception {
		Chromium chromium = Chromium.require(profile);
		try (TestClient client = trafficAndARefusal()) {
			String url = "http://127.0.0.1:" + gateway.managementPort() + "/actuator/dashboard";
			String dom = chromium.dumpDom(url);
			assertThat(dom).contains("v" + System.getProperty("test.project-version"));
			assertThat(chartPoints(dom)).as("points per chart").hasSize(3).allSatisfy(points -> assertThat(points).isGreaterThanOrEqualTo(2));
			// The newest sample of the active sessions is the open one; each series has a line through its points.
			assertThat(seriesPath(dom, "active")).contains("data-last=\"1\"");
			for (String series : SERIES_COLOURS.keySet()) {
				assertThat(seriesPath(dom, series)).as(series).containsPattern(" d=\"M[0-9.]+ [0-9.]+(L[0-9.]+ [0-9.]+)+");
			}

			// Drawn, and not flat along 0: each line spans many rows of pixels (a legend swatch spans 3).
			BufferedImage screenshot = chromium.screenshot(url, 1400, 900);
			SERIES_COLOURS.forEach((series, colour) -> assertThat(rowsWithColour(screenshot, colour))
				.as("rows of pixels of the %s line in the screenshot", series).isGreaterThanOrEqualTo(20));
		}
	}

	@Test
	void refusalsByFilterShowEachFiltersKindRefusalsByResultAndTheirShare(@TempDir Path profile) throws Exception {
		Chromium chromium = Chromium.require(profile);
		try (TestClient client = trafficAndARefusal()) {
			String dom = chromium.dumpDom("http://127.0.0.1:" + gateway.managementPort() + "/actuator/dashboard");

			// The refusing backend's 403 is its proxy's clientError, for every handshake that proxy saw.
			assertThat(filterRow(dom, "refused/refusing")).contains("<td>WebSocketProxy</td>")
				.containsPattern("<span class=\"result\">clientError <b>[1-9]\\d*</b></span>")
				.contains("<td class=\"num share\">100.0 %</td>");
			assertThat(filterRow(dom, "echo/proxy")).contains("<span class=\"empty\">none</span>")
				.contains("<td class=\"num refused\">0</td>")
				.contains("<td class=\"num share\">0.0 %</td>");
		}
	}

	@Test
	void samplingStartsAndStopsWithTheApplication() {
		long before = samplerThreads();
		Gateway another = Gateway.start("""
				wsgate:
				  http-servers: []
				  pipelines: []
				""");
		TrafficSampler sampler = another.bean(TrafficSampler.class);
		try {
			assertThat(sampler.isRunning()).isTrue();
			await().atMost(Duration.ofSeconds(5)).until(() -> samplerThreads() == before + 1);
		}
		finally {
			another.close();
		}
		assertThat(sampler.isRunning()).isFalse();
		await().atMost(Duration.ofSeconds(5)).until(() -> samplerThreads() == before);
	}

	/**
	 * Holds a session open after some messages and one refused handshake, and waits until the history
	 * shows all of them: messages reach the counters once a second, and a reading takes a second.
	 */
	private TestClient trafficAndARefusal() throws Exception {
		TestClient client = TestClient.connect(gateway.wsUrl("edge", "/ws"));
		for (int i = 0; i < 5; i++) {
			client.sendText("m" + i);
			client.nextFrame();
		}
		String upgrade = " HTTP/1.1\r\nHost: gw\r\n" + RawHttp.UPGRADE_HEADERS;
		assertThat(RawHttp.send(gateway.port("edge"), "GET /refused" + upgrade).status()).isEqualTo(403);
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			String json = gateway.management("/actuator/wsgate/history");
			List<Number> active = JsonPath.read(json, "$.activeSessions");
			return !active.isEmpty() && active.get(active.size() - 1).intValue() == 1 && anyAboveZero(json, "messagesPerSecond")
					&& anyAboveZero(json, "handshakesPerSecond") && anyAboveZero(json, "refusalsPerSecond");
		});
		return client;
	}

	private static boolean anyAboveZero(String json, String series) {
		return JsonPath.<List<Number>>read(json, "$." + series).stream().anyMatch(n -> n.doubleValue() > 0);
	}

	private static List<Integer> chartPoints(String dom) {
		Matcher matcher = Pattern.compile("<svg[^>]* data-points=\"(\\d+)\"").matcher(dom);
		return matcher.results().map(result -> Integer.parseInt(result.group(1))).toList();
	}

	private static String filterRow(String dom, String filter) {
		Matcher matcher = Pattern.compile("<tr data-filter=\"" + Pattern.quote(filter) + "\">.*?</tr>", Pattern.DOTALL).matcher(dom);
		assertThat(matcher.find()).as("the row of %s", filter).isTrue();
		return matcher.group();
	}

	private static String seriesPath(String dom, String series) {
		Matcher matcher = Pattern.compile("<path class=\"series\" data-series=\"" + series + "\"[^>]*>").matcher(dom);
		assertThat(matcher.find()).as("the %s line", series).isTrue();
		return matcher.group();
	}

	/** Rows of the image holding a pixel near an RGB colour (anti-aliasing blends a line's edges). */
	private static int rowsWithColour(BufferedImage image, int rgb) {
		int rows = 0;
		for (int y = 0; y < image.getHeight(); y++) {
			for (int x = 0; x < image.getWidth(); x++) {
				int pixel = image.getRGB(x, y);
				if (Math.abs(((pixel >> 16) & 0xff) - ((rgb >> 16) & 0xff)) <= 24
						&& Math.abs(((pixel >> 8) & 0xff) - ((rgb >> 8) & 0xff)) <= 24
						&& Math.abs((pixel & 0xff) - (rgb & 0xff)) <= 24) {
					rows++;
					break;
				}
			}
		}
		return rows;
	}

	private static long samplerThreads() {
		return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("wsgate-traffic-history")).count();
	}
}
