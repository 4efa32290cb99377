package io.gapwatch.server.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ReadListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Request bodies are bounded (gapwatch.max-request-bytes, default 1 MiB: a 1000-iteration report is about
 * 400 kB). A declared length over the limit is refused before reading; a chunked body is cut off where it
 * crosses the limit. Either way 413, as problem+json. A patch series (POST /api/v1/series) may carry up to 4 MB
 * of patches, which JSON escaping makes larger: it has its own bound (gapwatch.max-series-request-bytes, 8 MiB),
 * and the series service refuses a recipe over 4 MB with a 400 naming the field.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestSizeLimit extends OncePerRequestFilter {
    private final long maxBytes;
    private final long maxSeriesBytes;

    RequestSizeLimit(@Value("${gapwatch.max-request-bytes:1048576}") long maxBytes,
                     @Value("${gapwatch.max-series-request-bytes:8388608}") long maxSeriesBytes) {
        this.maxBytes = maxBytes;
        this.maxSeriesBytes = maxSeriesBytes;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long max = "POST".equals(request.getMethod()) && "/api/v1/series".equals(request.getRequestURI())
                ? maxSeriesBytes : maxBytes;
        if (request.getContentLengthLong() > max) {
            tooLarge(response, request.getRequestURI(), max);
            return;
        }
        chain.doFilter(new Bounded(request, max), response);
    }

    void tooLarge(HttpServletResponse response, String uri, long maxBytes) throws IOException {
        response.setStatus(413);
        // bytes, not the writer: a writer would add a charset parameter, which JSON media types do not have
        response.setContentType("application/problem+json");
        response.getOutputStream().write(("{\"title\":\"Payload too large\",\"status\":413,\"detail\":\"request bodies are "
                + "limited to " + maxBytes + " bytes\",\"instance\":\"" + uri.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Thrown when a body without a declared length grows past the limit. */
    static final class TooLargeException extends IOException {
        TooLargeException(long max) {
            super("request bodies are limited to " + max + " bytes");
        }
    }

    private static final class Bounded extends HttpServletRequestWrapper {
        private final long max;

        Bounded(HttpServletRequest request, long max) {
            super(request);
            this.max = max;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            ServletInputStream in = super.getInputStream();
            return new ServletInputStream() {
                private long read;

                @Override
                public int read() throws IOException {
                    int b = in.read();
                    if (b >= 0 && ++read > max) {
                        throw new TooLargeException(max);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = in.read(buf, off, len);
                    if (n > 0 && (read += n) > max) {
                        throw new TooLargeException(max);
                    }
                    return n;
                }

                @Override
                public boolean isFinished() {
                    return in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    in.setReadListener(listener);
                }
            };
        }
    }
}
