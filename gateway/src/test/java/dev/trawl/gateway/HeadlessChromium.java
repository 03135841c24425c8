package dev.trawl.gateway;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.trawl.api.serde.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * Debian's Chromium, headless, driven by Playwright for Java pointed at the system binary: Playwright's driver comes
 * from Maven Central, and no browser is downloaded ({@code PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD}). One page;
 * {@link #eval} runs JavaScript in it and returns the value as JSON.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path BINARY = Path.of(System.getenv().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium"));

    private final Playwright playwright;
    private final Browser browser;
    private final Page page;

    HeadlessChromium() {
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(BINARY)
                    .setHeadless(true)
                    // this machine's closed network refuses Chromium's background connections, many at a time
                    .setArgs(List.of("--no-sandbox", "--disable-background-networking", "--disable-gpu",
                            "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
                            "--disable-dev-shm-usage")));
            page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1400, 1000));
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    void navigate(String url) {
        page.navigate(url);
    }

    /** Evaluates {@code expression} in the page (promises awaited) and returns its JSON value. */
    JsonNode eval(String expression) {
        Object value = page.evaluate(expression);
        return value == null ? NullNode.getInstance() : Json.MAPPER.valueToTree(value);
    }

    String evalString(String expression) {
        JsonNode value = eval(expression);
        return value.isNull() || value.isMissingNode() ? null : value.asString();
    }

    /** A PNG of the page: the viewport, or the whole page when {@code fullPage}. */
    void screenshot(Path file, boolean fullPage) throws Exception {
        Files.createDirectories(file.getParent());
        page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(fullPage));
    }

    @Override
    public void close() {
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }
}
