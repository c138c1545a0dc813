package dev.vigil.ingest.scrape;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A blocking HTTP/1.1 GET over one kept-alive connection, for scrapes of plain-http targets
 * without a proxy (nearly all of them). The scrape loop's virtual thread writes the request and
 * reads the response itself, straight into the pooled body buffer.
 *
 * <p>Why not the JDK client for these: its asynchronous pipeline (a selector thread, executor
 * hand-offs, a flow of ByteBuffer lists, CompletableFuture stages) cost about 1.9 ms of CPU per
 * 200 KB scrape on the shared benchmark, as much as parsing and storing the page. TLS, proxies and
 * redirects stay with the JDK client ({@link HttpScraper} falls back to it).
 *
 * <p>Like Go's transport: one idle connection kept per target; a request on a reused connection
 * that fails before any response byte is retried once on a new one (the server may have closed
 * the idle connection); the scrape timeout is a deadline over connect, write and every read.
 *
 * <p>Owned by one scrape loop; {@link #abort} may be called from another thread.
 */
final class Http1Connection {
    private static final int MAX_HEADER_BYTES = 1 << 20;

    private final String host;
    private final int port;
    private final BufferPool pool;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] rbuf = new byte[16 << 10];
    private int rpos;
    private int rlim;
    private long deadlineNanos;
    private boolean gotBytes; // any response byte read in this attempt
    private volatile boolean aborted;
    private volatile Socket current; // for abort()

    // The response of the last get(): status, the headers the scrape uses, the body in body[0, bodyLength).
    int status;
    String contentType;
    String contentEncoding;
    String location;
    byte[] body;
    int bodyLength;

    Http1Connection(String host, int port, BufferPool pool) {
        this.host = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        this.port = port;
        this.pool = pool;
    }

    /**
     * Sends {@code request} (a complete request head) and reads the response. The body of a 200
     * response is read into a buffer taken from the pool (the caller returns it); other responses'
     * bodies are not read, and their connection is closed.
     *
     * @param sizeHint the expected body size, to size the buffer
     * @param limit the largest body accepted, 0 for none
     * @throws SocketTimeoutException when the deadline passed
     * @throws BodyTooLargeException when the body exceeds {@code limit}
     * @throws IOException for connection errors, {@link EOFException} when the server closed the
     *     connection early
     */
    void get(byte[] request, long timeoutMs, int sizeHint, long limit) throws IOException {
        deadlineNanos = System.nanoTime() + timeoutMs * 1_000_000L;
        if (aborted) throw new IOException("aborted"); // for good: only a stopping loop aborts
        body = null;
        bodyLength = 0;
        boolean reused = socket != null;
        try {
            attempt(request, sizeHint, limit);
        } catch (IOException e) {
            boolean retry = reused && !gotBytes && !aborted && !(e instanceof SocketTimeoutException);
            releaseBody();
            close();
            if (!retry) throw e;
            try {
                attempt(request, sizeHint, limit);
            } catch (IOException again) {
                releaseBody();
                close();
                throw again;
            }
        }
    }

    private void attempt(byte[] request, int sizeHint, long limit) throws IOException {
        gotBytes = false;
        if (socket == null) connect();
        out.write(request);
        out.flush();
        boolean keepAlive = readHead();
        if (status != 200) {
            close(); // the body is not needed; draining it could take as long as the body is large
            return;
        }
        if (chunked) {
            readChunked(sizeHint, limit);
        } else if (contentLength >= 0) {
            readFixed(contentLength, limit);
        } else {
            readToEof(sizeHint, limit);
            keepAlive = false;
        }
        if (!keepAlive) close();
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        current = s;
        if (aborted) throw new IOException("aborted");
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), remainingMs());
        socket = s;
        in = s.getInputStream();
        out = s.getOutputStream();
        rpos = rlim = 0;
    }

    // Parsed by readHead().
    private long contentLength;
    private boolean chunked;

    /** Reads the status line and headers (skipping 1xx responses); returns whether the connection may be reused. */
    private boolean readHead() throws IOException {
        int headerBytes = 0;
        while (true) {
            String statusLine = readLine();
            headerBytes += statusLine.length();
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) throw new IOException("malformed HTTP response \"" + statusLine + "\"");
            status = parseStatus(statusLine);
            boolean http10 = statusLine.charAt(7) == '0';
            boolean keepAlive = !http10;
            contentType = null;
            contentEncoding = null;
            location = null;
            contentLength = -1;
            chunked = false;
            while (true) {
                String line = readLine();
                headerBytes += line.length() + 2;
                if (headerBytes > MAX_HEADER_BYTES) throw new IOException("server response headers exceeded " + MAX_HEADER_BYTES + " bytes");
                if (line.isEmpty()) break;
                int colon = line.indexOf(':');
                if (colon <= 0) throw new IOException("malformed MIME header line: " + line);
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    try {
                        contentLength = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        contentLength = -2;
                    }
                    if (contentLength < 0) throw new IOException("bad Content-Length \"" + value + "\"");
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.toLowerCase(java.util.Locale.ROOT).endsWith("chunked");
                } else if (name.equalsIgnoreCase("Content-Type")) {
                    contentType = value;
                } else if (name.equalsIgnoreCase("Content-Encoding")) {
                    contentEncoding = value;
                } else if (name.equalsIgnoreCase("Location")) {
                    location = value;
                } else if (name.equalsIgnoreCase("Connection")) {
                    String v = value.toLowerCase(java.util.Locale.ROOT);
                    if (v.contains("close")) keepAlive = false;
                    else if (v.contains("keep-alive")) keepAlive = true;
                }
            }
            if (status >= 200) return keepAlive;
        }
    }

    private static int parseStatus(String line) throws IOException {
        int code = 0;
        for (int i = 9; i < 12; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') throw new IOException("malformed HTTP status code in \"" + line + "\"");
            code = code * 10 + (c - '0');
        }
        return code;
    }

    private void readFixed(long length, long limit) throws IOException {
        if (limit > 0 && length > limit) throw new BodyTooLargeException();
        if (length > Integer.MAX_VALUE - 16) throw new IOException("body too large for one buffer: " + length + " bytes");
        int n = (int) length;
        body = pool.get(Math.max(n, 1));
        readInto(n);
    }

    private void readChunked(int sizeHint, long limit) throws IOException {
        body = pool.get(sizeHint);
        while (true) {
            String sizeLine = readLine();
            int semi = sizeLine.indexOf(';');
            String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunked encoding: bad chunk size \"" + hex + "\"");
            }
            if (size < 0) throw new IOException("malformed chunked encoding: bad chunk size \"" + hex + "\"");
            if (size == 0) {
                while (!readLine().isEmpty()) {} // trailers
                return;
            }
            if (limit > 0 && bodyLength + size > limit) throw new BodyTooLargeException();
            if (bodyLength + size > Integer.MAX_VALUE - 16) throw new IOException("body too large for one buffer");
            readInto((int) size);
            if (!readLine().isEmpty()) throw new IOException("malformed chunked encoding: missing CRLF after chunk data");
        }
    }

    private void readToEof(int sizeHint, long limit) throws IOException {
        body = pool.get(sizeHint);
        while (true) {
            if (bodyLength == body.length) body = pool.grow(body, bodyLength, body.length * 2);
            int n;
            if (rpos < rlim) {
                n = Math.min(rlim - rpos, body.length - bodyLength);
                System.arraycopy(rbuf, rpos, body, bodyLength, n);
                rpos += n;
            } else {
                n = read(body, bodyLength, body.length - bodyLength);
                if (n < 0) return;
            }
            bodyLength += n;
            if (limit > 0 && bodyLength > limit) throw new BodyTooLargeException();
        }
    }

    /** Appends exactly {@code n} more body bytes: what is buffered, then straight from the socket. */
    private void readInto(int n) throws IOException {
        if (bodyLength + n > body.length) body = pool.grow(body, bodyLength, bodyLength + n);
        int buffered = Math.min(n, rlim - rpos);
        System.arraycopy(rbuf, rpos, body, bodyLength, buffered);
        rpos += buffered;
        bodyLength += buffered;
        int left = n - buffered;
        while (left > 0) {
            int r = read(body, bodyLength, left);
            if (r < 0) throw new EOFException("unexpected EOF");
            bodyLength += r;
            left -= r;
        }
    }

    /** A CRLF- or LF-terminated line of the head, without its terminator (ASCII/Latin-1). */
    private String readLine() throws IOException {
        int start = rpos;
        while (true) {
            for (int i = start; i < rlim; i++) {
                if (rbuf[i] == '\n') {
                    int end = i > rpos && rbuf[i - 1] == '\r' ? i - 1 : i;
                    String line = new String(rbuf, rpos, end - rpos, StandardCharsets.ISO_8859_1);
                    rpos = i + 1;
                    return line;
                }
            }
            // No newline buffered: move the partial line to the front and read more.
            int partial = rlim - rpos;
            if (partial == rbuf.length) throw new IOException("header line too long");
            System.arraycopy(rbuf, rpos, rbuf, 0, partial);
            rpos = 0;
            rlim = partial;
            start = partial;
            int r = read(rbuf, rlim, rbuf.length - rlim);
            if (r < 0) throw new EOFException("EOF");
            rlim += r;
        }
    }

    private int read(byte[] b, int off, int len) throws IOException {
        socket.setSoTimeout(remainingMs());
        int r = in.read(b, off, len);
        if (r > 0) gotBytes = true;
        return r;
    }

    private int remainingMs() throws SocketTimeoutException {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) throw new SocketTimeoutException("deadline exceeded");
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000));
    }

    private void releaseBody() {
        // A failed read leaves no body; the partial buffer goes back to the pool.
        pool.put(body);
        body = null;
        bodyLength = 0;
    }

    /** Unblocks a get() in progress from another thread, and fails every later one, with an IOException. */
    void abort() {
        aborted = true;
        Socket s = current;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is all we wanted
            }
        }
    }

    boolean aborted() {
        return aborted;
    }

    /** Closes the kept-alive connection, if any. */
    void close() {
        Socket s = socket;
        socket = null;
        in = null;
        out = null;
        rpos = rlim = 0;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do about a failed close
            }
        }
    }

    /** The body exceeded body_size_limit. */
    static final class BodyTooLargeException extends IOException {
        BodyTooLargeException() {
            super("body size limit exceeded", null);
        }
    }
}
