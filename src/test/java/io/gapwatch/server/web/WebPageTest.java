package io.gapwatch.server.web;

import io.gapwatch.agent.Agent;
import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.agent.Spool;
import io.gapwatch.cli.Options;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built-in page in a real browser (Debian's chromium through chromedriver, driven by Selenium) against a
 * running server with a sim agent: what a newcomer does after opening the demo's link. Each test leaves a
 * screenshot in target/screenshots/.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WebPageTest {
    /** Generous bounds for a browser on a busy 2-core machine; each names what it waited for when it fails. */
    static final Duration PAGE = Duration.ofSeconds(60);
    static final Duration RUN = Duration.ofSeconds(120);

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @TempDir
    static Path home;

    Http http;
    Agent agent;
    WebDriver browser;
    String base;
    long gridSweep;

    @BeforeAll
    void serverWithASimAgentAndASweep() throws InterruptedException {
        Tables.truncateAll(jdbc);
        base = "http://127.0.0.1:" + port;
        http = new Http(base, Http.ADMIN_TOKEN);
        Credentials credentials = new Credentials(home.resolve("web.secret"), http.newToken("enrollment"));
        agent = new Agent("web-agent", new ServerClient(URI.create(base + "/"), credentials), credentials,
                new Spool(home.resolve("spool")),
                AgentCommand.executors("sim", Options.parse("agent", new String[]{"--sim-kernels", "6.12.107,6.12.111",
                                "--sim-faults-from", "6.12.111:extra-error-ns=3000000"},
                        Set.of("sim-kernels", "sim-faults-from"), Set.of())), line -> { });
        new Thread(agent, "web-agent").start();
        long deadline = System.nanoTime() + RUN.toNanos();
        while (http.get("/api/v1/agents").json().isEmpty()) {
            assertThat(System.nanoTime()).as("the sim agent registers within %s", RUN).isLessThan(deadline);
            Thread.sleep(50);
        }
        // a series to draw and compare: 6.12.111 books 3 ms too much, which the analysis suspects against 6.12.107
        Http.Response regressed = http.post("/api/v1/sweeps", """
                {"matrix":{"kernels":["sim:6.12.107","sim:6.12.111"],"backend":"sim","variants":["clock-realtime"],
                           "gapsMs":[10],"iterations":10,"repeats":2},"baseline":{"kernel":"sim:6.12.107"}}""");
        assertThat(regressed.status()).as(regressed.body()).isEqualTo(201);
        http.awaitSweepFinished(regressed.json().path("id").asLong(), RUN);
        // and its work done (confirmed, bisected), so the queue is quiet while the pages are looked at
        long analysed = System.nanoTime() + 2 * RUN.toNanos();
        while (regressionOf111() == null || !regressionOf111().path("bisection").path("state").asString().equals("FOUND")) {
            assertThat(System.nanoTime()).as("a regression of sim:6.12.111, confirmed and bisected within %s: %s",
                    RUN.multipliedBy(2), regressionOf111()).isLessThan(analysed);
            Thread.sleep(200);
        }
        // the grid sweep last: the overview shows the latest sweep
        Http.Response sweep = http.post("/api/v1/sweeps", """
                {"matrix":{"kernels":["sim:6.12.107","sim:6.12.111"],"variants":["clock-realtime","clock-frozen"],
                           "gapsMs":[5],"iterations":3,"repeats":1}}""");
        assertThat(sweep.status()).as(sweep.body()).isEqualTo(201);
        gridSweep = sweep.json().path("id").asLong();
        http.awaitSweepFinished(gridSweep, RUN);
    }

    private JsonNode regressionOf111() {
        for (JsonNode r : http.get("/api/v1/regressions?size=500").json().path("items")) {
            if (r.path("kernelSeries").asString().equals("sim:6.12") && r.path("variant").asString().equals("clock-realtime")
                    && r.path("gapMs").asInt() == 10) {
                return r;
            }
        }
        return null;
    }

    @AfterAll
    void stopAgent() {
        agent.stop();
    }

    @BeforeEach
    void openBrowser() {
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).build(), options);
    }

    @AfterEach
    void screenshotAndClose(TestInfo test) throws Exception {
        try {
            Path dir = Files.createDirectories(Path.of("target", "screenshots"));
            byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
            Files.write(dir.resolve(test.getTestMethod().orElseThrow().getName() + ".png"), png);
        } finally {
            browser.quit();
        }
    }

    private WebElement await(By what, String description) {
        return new WebDriverWait(browser, PAGE).withMessage("waited for " + description)
                .until(ExpectedConditions.visibilityOfElementLocated(what));
    }

    private void signInByLink() {
        browser.get(base + "/#token=" + Http.ADMIN_TOKEN);
        await(By.id("queue-depth"), "the overview after signing in by the demo's link");
    }

    @Test
    void signingInWithATokenShowsTheOverviewWithTheLatestSweepGrid() {
        browser.get(base + "/");
        await(By.id("token"), "the sign-in form").sendKeys(Http.ADMIN_TOKEN);
        browser.findElement(By.cssSelector("#sign-in button")).click();
        WebElement grid = await(By.id("sweep-grid"), "the latest sweep's grid");
        assertThat(grid.findElements(By.cssSelector("tbody tr"))).hasSize(2);
        assertThat(grid.getText()).contains("sim:6.12.107", "sim:6.12.111", "clock-realtime @ 5 ms", "clock-frozen @ 5 ms");
        assertThat(grid.findElements(By.cssSelector(".cell.PASS"))).hasSize(2);
        assertThat(grid.findElements(By.cssSelector(".cell.FAIL"))).hasSize(2);
        assertThat(browser.findElement(By.id("targets")).getText()).contains("web-agent", "sim:6.12.107", "simulated");
        assertThat(browser.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("gw_");
    }

    @Test
    void aRunShowsItsChartWithOnePointPerIterationAndItsNumbers() {
        JsonNode runs = http.get("/api/v1/runs?variant=clock-realtime&size=1&sweep=" + gridSweep).json().path("items");
        long id = runs.get(0).path("id").asLong();
        signInByLink();
        browser.get(base + "/#/runs/" + id);
        await(By.cssSelector("#run-chart .uplot"), "the run's chart");
        Object points = ((JavascriptExecutor) browser).executeScript("return window.gapwatchRunChart.data[1].length");
        assertThat(((Number) points).intValue()).isEqualTo(3);
        assertThat(browser.findElements(By.cssSelector("#measurements tbody tr"))).hasSize(3);
        assertThat(browser.findElement(By.tagName("h1")).getText()).contains("Run " + id, "PASS", "simulated");
    }

    @Test
    void aRunTriggeredThroughTheFormCompletes() {
        signInByLink();
        browser.get(base + "/#/new");
        new Select(await(By.name("variant"), "the run form")).selectByValue("clock-realtime");
        browser.findElement(By.name("gapMs")).clear();
        browser.findElement(By.name("gapMs")).sendKeys("3");
        browser.findElement(By.name("iterations")).clear();
        browser.findElement(By.name("iterations")).sendKeys("2");
        browser.findElement(By.name("kernel")).sendKeys("sim:6.12.107");
        browser.findElement(By.cssSelector("#new-run button")).click();
        new WebDriverWait(browser, RUN).withMessage("waited for the triggered run to complete on its page")
                .until(ExpectedConditions.textToBePresentInElementLocated(By.id("run-state"), "State COMPLETED"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).contains("PASS");
        assertThat(browser.findElements(By.cssSelector("#measurements tbody tr"))).hasSize(2);
    }

    @Test
    void aBadFieldIsShownNextToItAndSigningOutForgetsTheToken() {
        signInByLink();
        browser.get(base + "/#/new");
        WebElement gap = await(By.name("gapMs"), "the run form");
        gap.clear();
        gap.sendKeys("0");
        browser.findElement(By.cssSelector("#new-run button")).click();
        WebElement error = new WebDriverWait(browser, PAGE).withMessage("waited for the gapMs field's error")
                .until(d -> {
                    WebElement e = d.findElement(By.cssSelector("[data-field=gapMs]"));
                    return e.getText().isBlank() ? null : e;
                });
        assertThat(error.getText()).containsIgnoringCase("gapMs");

        browser.findElement(By.id("sign-out")).click();
        await(By.id("token"), "the sign-in form after signing out");
        Object stored = ((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('gapwatch.token')");
        assertThat(stored).isNull();
        assertThat(browser.findElement(By.id("nav")).isDisplayed()).as("the navigation hides when signed out").isFalse();
    }

    @Test
    void aSeriesIsDrawnWithItsBandsAndComparedWithAnotherKernelsVerdict() {
        signInByLink();
        browser.findElement(By.linkText("Series")).click();
        WebElement kernel = await(By.name("kernel"), "the series form");
        kernel.sendKeys("sim:6.12.111");
        WebElement gap = browser.findElement(By.name("gapMs"));
        gap.clear();
        gap.sendKeys("10");
        browser.findElement(By.name("compare")).sendKeys("sim:6.12.107");
        browser.findElement(By.cssSelector("#series-form button")).click();
        WebElement verdict = await(By.id("compare-verdict"), "the compare verdict");
        assertThat(verdict.getText()).contains("sim:6.12.111", "sim:6.12.107", "regression", "simulated");
        new WebDriverWait(browser, PAGE).withMessage("waited for both series' charts")
                .until(d -> d.findElements(By.cssSelector(".series-chart .uplot")).size() == 2);

        JavascriptExecutor js = (JavascriptExecutor) browser;
        for (int i = 0; i < 2; i++) {
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> chart = (java.util.Map<String, Object>) js.executeScript("""
                    const u = window.gapwatchSeriesCharts[arguments[0]];
                    return {points: u.gapwatchBuckets, median: u.data[3].filter(v => v !== null).length,
                            bands: u.bands.length, lower: u.data[1][0], upper: u.data[2][0], marks: u.gapwatchMarks.map(m => m.label)};""", i);
            assertThat(((Number) chart.get("points")).intValue()).as("chart %d: a point per time bucket", i).isPositive();
            assertThat(chart.get("median")).as("chart %d: a median per bucket the server sent", i).isEqualTo(chart.get("points"));
            assertThat(((Number) chart.get("bands")).intValue()).as("chart %d: the p5..p95 band", i).isEqualTo(1);
            assertThat(((Number) chart.get("lower")).doubleValue()).isLessThanOrEqualTo(((Number) chart.get("upper")).doubleValue());
            if (i == 0) {
                assertThat((java.util.List<?>) chart.get("marks")).as("the regression marked on 6.12.111's chart")
                        .anyMatch(m -> m.toString().startsWith("regression " + regressionOf111().path("id").asLong()));
            }
        }
        List<WebElement> panels = browser.findElements(By.cssSelector("#series-panels h2"));
        assertThat(panels.get(0).getText()).contains("sim:6.12.111", "simulated");
        assertThat(panels.get(1).getText()).contains("sim:6.12.107", "simulated");
        assertThat(browser.findElement(By.id("series-panels")).getAttribute("class")).as("side by side").contains("side-by-side");
    }

    @Test
    void anUnmeasuredKernelIsNamedNextToItsFieldAndANarrowWindowStacksTheCharts() {
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(420, 1400));
        signInByLink();
        browser.get(base + "/#/series?kernel=sim:6.12.107&variant=clock-realtime&gapMs=10&compare=sim:9.9.9");
        WebElement error = new WebDriverWait(browser, PAGE).withMessage("waited for the compare field's error")
                .until(d -> {
                    WebElement e = d.findElement(By.cssSelector("[data-field=compare]"));
                    return e.getText().isBlank() ? null : e;
                });
        assertThat(error.getText()).contains("sim:9.9.9");
        await(By.cssSelector(".series-chart .uplot"), "the one measured kernel's chart");
        Object width = ((JavascriptExecutor) browser).executeScript("return window.gapwatchSeriesCharts[0].width");
        assertThat(((Number) width).intValue()).as("the chart fits a narrow window").isLessThanOrEqualTo(420);
        Object scrolls = ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth > document.documentElement.clientWidth");
        assertThat(scrolls).as("the page does not scroll sideways in a narrow window").isEqualTo(false);
    }

    /** Last: its sweep becomes the latest one, which the overview test must not see. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aSweepFormShowsEachBadFieldBesideItThenTriggersTheSweep() {
        signInByLink();
        browser.get(base + "/#/new");
        WebElement kernels = await(By.name("kernels"), "the sweep form");
        kernels.sendKeys("sim:6.12.107");
        WebElement gaps = browser.findElement(By.name("gapsMs"));
        gaps.clear();
        gaps.sendKeys("2, 0");
        WebElement repeats = browser.findElement(By.cssSelector("#new-sweep [name=repeats]"));
        repeats.clear();
        repeats.sendKeys("1000");
        browser.findElement(By.cssSelector("#new-sweep button")).click();
        WebElement gapError = new WebDriverWait(browser, PAGE).withMessage("waited for the gapsMs field's error")
                .until(d -> {
                    WebElement e = d.findElement(By.cssSelector("#new-sweep [data-field=gapsMs]"));
                    return e.getText().isBlank() ? null : e;
                });
        assertThat(gapError.getText()).contains("between 1 and 60000");
        assertThat(browser.findElement(By.cssSelector("#new-sweep [data-field=repeats]")).getText()).contains("1000");

        gaps.clear();
        gaps.sendKeys("2");
        repeats.clear();
        repeats.sendKeys("1");
        browser.findElement(By.cssSelector("#new-sweep [name=iterations]")).clear();
        browser.findElement(By.cssSelector("#new-sweep [name=iterations]")).sendKeys("2");
        browser.findElement(By.cssSelector("#new-sweep button")).click();
        WebElement grid = await(By.id("sweep-grid"), "the new sweep's page with its grid");
        assertThat(browser.getCurrentUrl()).contains("#/sweeps/");
        assertThat(grid.getText()).contains("sim:6.12.107", "clock-realtime @ 2 ms", "clock-frozen @ 2 ms");
        new WebDriverWait(browser, RUN).withMessage("waited for the triggered sweep to complete on its page")
                .until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "COMPLETED"));
        assertThat(browser.findElements(By.cssSelector("#sweep-grid .cell.PASS"))).hasSize(1);
        assertThat(browser.findElements(By.cssSelector("#sweep-grid .cell.FAIL"))).hasSize(1);
    }

    @Test
    void aBisectionShowsItsStepsWithTheirRunsAndTheFirstBadKernel() {
        long id = regressionOf111().path("bisection").path("id").asLong();
        signInByLink();
        browser.findElement(By.linkText("Bisections")).click();
        await(By.linkText(Long.toString(id)), "bisection " + id + " in the list").click();
        WebElement steps = await(By.id("bisection-steps"), "the bisection's steps");
        assertThat(browser.findElement(By.cssSelector("p.answer")).getText()).contains("first bad kernel is sim:6.12.111");
        assertThat(steps.findElements(By.cssSelector("tbody tr"))).hasSizeGreaterThanOrEqualTo(2);
        assertThat(steps.getText()).contains("sim:6.12.107", "good", "sim:6.12.111", "bad");
        assertThat(steps.findElements(By.cssSelector("a[href^='#/runs/']"))).isNotEmpty();
        assertThat(browser.findElement(By.tagName("h1")).getText()).contains("FOUND", "simulated");
    }
}
