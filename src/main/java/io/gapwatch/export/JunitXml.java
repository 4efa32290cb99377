package io.gapwatch.export;

import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.Verdict;
import io.gapwatch.probe.VerdictRules;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finished runs as JUnit XML, the format Jenkins and GitLab read: one testsuite per kernel, one testcase per
 * run. A run that is not as its variant expects is a {@code <failure>} with the numbers (the negative control
 * failing is a pass), SKIP is {@code <skipped message>}, ERROR is {@code <error>}; every measurement is a
 * property of its testcase and the run's KTAP is its system-out. Written with the JDK's StAX writer, which
 * does the escaping.
 */
public final class JunitXml {
    private JunitXml() {
    }

    public static String write(String name, List<ExportedRun> runs) {
        Map<String, List<ExportedRun>> byKernel = new LinkedHashMap<>();
        runs.forEach(r -> byKernel.computeIfAbsent(r.kernel(), k -> new ArrayList<>()).add(r));
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.writeStartElement("testsuites");
            xml.writeAttribute("name", name);
            counts(xml, runs);
            xml.writeCharacters("\n");
            for (Map.Entry<String, List<ExportedRun>> kernel : byKernel.entrySet()) {
                suite(xml, kernel.getKey(), kernel.getValue());
            }
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write JUnit XML", e); // a StringWriter does not fail
        }
        return text.toString();
    }

    private static void suite(XMLStreamWriter xml, String kernel, List<ExportedRun> runs) throws XMLStreamException {
        ProbeReport first = runs.get(0).report();
        xml.writeStartElement("testsuite");
        xml.writeAttribute("name", kernel);
        counts(xml, runs);
        if (runs.get(0).startedAt() != null) {
            xml.writeAttribute("timestamp", runs.get(0).startedAt().toString());
        }
        xml.writeCharacters("\n");
        xml.writeStartElement("properties");
        property(xml, "kernel", kernel);
        property(xml, "backend", first.target().backend());
        property(xml, "simulated", Boolean.toString("sim".equals(first.target().backend())));
        if (first.target().accelerator() != null) {
            property(xml, "accelerator", first.target().accelerator());
        }
        if (first.target().cpuModel() != null) {
            property(xml, "cpu", first.target().cpuModel());
        }
        xml.writeEndElement();
        xml.writeCharacters("\n");
        for (ExportedRun run : runs) {
            testcase(xml, kernel, run);
        }
        xml.writeEndElement();
        xml.writeCharacters("\n");
    }

    private static void testcase(XMLStreamWriter xml, String kernel, ExportedRun run) throws XMLStreamException {
        ProbeReport r = run.report();
        xml.writeStartElement("testcase");
        xml.writeAttribute("name", run.testName() + ".run_" + run.id());
        xml.writeAttribute("classname", kernel); // the suite's name: readers (Surefire, Jenkins) group test cases by it
        xml.writeAttribute("time", seconds(run.duration()));
        xml.writeStartElement("properties");
        property(xml, "run", Long.toString(run.id()));
        property(xml, "variant", r.variant().id());
        property(xml, "gapMs", Integer.toString(r.gapMs()));
        property(xml, "verdict", r.verdict().name());
        property(xml, "expectedVerdict", r.expectedVerdict().name());
        if (r.clockPath() != null) {
            property(xml, "clockPath", r.clockPath().id());
        }
        if (run.agent() != null) {
            property(xml, "agent", run.agent());
        }
        for (Measurement m : r.measurements()) {
            String p = "iteration." + m.iteration() + ".";
            property(xml, p + "stealDeltaNs", Long.toString(m.stealDeltaNs()));
            property(xml, p + "gapLowNs", Long.toString(m.gapLowNs()));
            property(xml, p + "gapHighNs", Long.toString(m.gapHighNs()));
            property(xml, p + "hostRunDelayNs", m.hostRunDelayNs() == null ? "unavailable" : Long.toString(m.hostRunDelayNs()));
            property(xml, p + "errorNs", Long.toString(m.errorNs()));
            property(xml, p + "withinBracket", Boolean.toString(m.withinBracket()));
            property(xml, p + "pass", Boolean.toString(m.pass()));
            property(xml, p + "guestAreaAgrees", Boolean.toString(m.guestAreaAgrees()));
        }
        xml.writeEndElement();
        switch (r.verdict()) {
            case SKIP -> {
                xml.writeEmptyElement("skipped");
                xml.writeAttribute("message", r.skipReason() == null ? "" : r.skipReason());
            }
            case ERROR -> {
                String error = r.error() == null ? "" : r.error();
                xml.writeStartElement("error");
                xml.writeAttribute("message", error.lines().findFirst().orElse(""));
                xml.writeAttribute("type", run.missed() ? "MISS" : "ERROR");
                xml.writeCharacters(error);
                xml.writeEndElement();
            }
            default -> {
                if (!run.asExpected()) {
                    xml.writeStartElement("failure");
                    xml.writeAttribute("message", "verdict " + r.verdict() + ", expected " + r.expectedVerdict() + ": "
                            + (r.error() != null ? r.error() : failing(r) + " of " + r.measurements().size() + " iterations failed"));
                    xml.writeAttribute("type", r.verdict().name());
                    xml.writeCharacters(numbers(r));
                    xml.writeEndElement();
                }
            }
        }
        xml.writeStartElement("system-out");
        xml.writeCharacters(Ktap.write(r));
        xml.writeEndElement();
        xml.writeEndElement();
        xml.writeCharacters("\n");
    }

    private static long failing(ProbeReport r) {
        return r.measurements().stream().filter(m -> !VerdictRules.iterationPasses(m, r.strict())).count();
    }

    private static String numbers(ProbeReport r) {
        StringBuilder s = new StringBuilder();
        for (Measurement m : r.measurements()) {
            s.append(String.format(Locale.ROOT,
                    "iteration %d: stealDelta %.3f ms, bracket [%.3f, %.3f] ms, error %.3f ms, withinBracket %s, pass %s%n",
                    m.iteration(), m.stealDeltaNs() / 1e6, m.gapLowNs() / 1e6, m.gapHighNs() / 1e6, m.errorNs() / 1e6,
                    m.withinBracket(), VerdictRules.iterationPasses(m, r.strict())));
        }
        return s.toString();
    }

    private static void counts(XMLStreamWriter xml, List<ExportedRun> runs) throws XMLStreamException {
        long failures = runs.stream().filter(r -> (r.verdict() == Verdict.PASS || r.verdict() == Verdict.FAIL) && !r.asExpected()).count();
        long errors = runs.stream().filter(r -> r.verdict() == Verdict.ERROR).count();
        long skipped = runs.stream().filter(r -> r.verdict() == Verdict.SKIP).count();
        Duration time = runs.stream().map(ExportedRun::duration).filter(d -> d != null).reduce(Duration.ZERO, Duration::plus);
        xml.writeAttribute("tests", Integer.toString(runs.size()));
        xml.writeAttribute("failures", Long.toString(failures));
        xml.writeAttribute("errors", Long.toString(errors));
        xml.writeAttribute("skipped", Long.toString(skipped));
        xml.writeAttribute("time", seconds(time));
    }

    private static void property(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
        xml.writeEmptyElement("property");
        xml.writeAttribute("name", name);
        xml.writeAttribute("value", value);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d == null ? 0.0 : d.toNanos() / 1e9);
    }
}
