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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
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

    @BeforeAll
    void serverWithASimAgentAndASweep() throws InterruptedException {
        Tables.truncateAll(jdbc);
        base = "http://127.0.0.1:" + port;
        http = new Http(base, Http.ADMIN_TOKEN);
        Credentials credentials = new Credentials(home.resolve("web.secret"), http.newToken("enrollment"));
        agent = new Agent("web-agent", new ServerClient(URI.create(base + "/"), credentials), credentials,
                new Spool(home.resolve("spool")),
                AgentCommand.executors("sim", Options.parse("agent", new String[]{"--sim-kernels", "6.12.107,6.12.111"},
                        Set.of("sim-kernels"), Set.of())), line -> { });
        new Thread(agent, "web-agent").start();
        long deadline = System.nanoTime() + RUN.toNanos();
        while (http.get("/api/v1/agents").json().isEmpty()) {
            assertThat(System.nanoTime()).as("the sim agent registers within %s", RUN).isLessThan(deadline);
            Thread.sleep(50);
        }
        Http.Response sweep = http.post("/api/v1/sweeps", """
                {"matrix":{"kernels":["sim:6.12.107","sim:6.12.111"],"variants":["clock-realtime","clock-frozen"],
                           "gapsMs":[2],"iterations":3,"repeats":1}}""");
        assertThat(sweep.status()).as(sweep.body()).isEqualTo(201);
        http.awaitSweepFinished(sweep.json().path("id").asLong(), RUN);
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
        assertThat(grid.getText()).contains("sim:6.12.107", "sim:6.12.111", "clock-realtime @ 2 ms", "clock-frozen @ 2 ms");
        assertThat(grid.findElements(By.cssSelector(".cell.PASS"))).hasSize(2);
        assertThat(grid.findElements(By.cssSelector(".cell.FAIL"))).hasSize(2);
        assertThat(browser.findElement(By.id("targets")).getText()).contains("web-agent", "sim:6.12.107", "simulated");
        assertThat(browser.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("gw_");
    }

    @Test
    void aRunShowsItsChartWithOnePointPerIterationAndItsNumbers() {
        JsonNode runs = http.get("/api/v1/runs?variant=clock-realtime&size=1").json().path("items");
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
}
