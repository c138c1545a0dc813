package dev.vigil.ingest.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * What DNS service discovery takes from {@code /etc/resolv.conf}: the name servers, the search
 * list and {@code ndots}, read as Prometheus's DNS client reads them (a later {@code domain} or
 * {@code search} line replaces the list; ndots defaults to 1 and is clamped to 0-15).
 *
 * @param servers in the file's order, port 53 unless a test says otherwise
 * @param search domains appended to a relative name, without trailing dots
 */
public record ResolvConf(List<InetSocketAddress> servers, List<String> search, int ndots) {
    private static final Logger LOG = Logger.getLogger(ResolvConf.class.getName());
    public static final Path SYSTEM = Path.of("/etc/resolv.conf");

    public ResolvConf {
        servers = List.copyOf(servers);
        search = List.copyOf(search);
    }

    /** Reads {@code file}; Prometheus rereads it for every lookup, so a changed resolver is picked up. */
    public static ResolvConf read(Path file) throws IOException {
        return parse(Files.readString(file), 53);
    }

    /** Parses resolv.conf text; name servers get {@code port}. */
    public static ResolvConf parse(String text, int port) {
        List<InetSocketAddress> servers = new ArrayList<>();
        List<String> search = List.of();
        int ndots = 1;
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 0 || f[0].isEmpty()) continue;
            switch (f[0]) {
                case "nameserver" -> {
                    if (f.length > 1) {
                        try {
                            // a literal only: resolving a server's name would need DNS
                            servers.add(new InetSocketAddress(InetAddress.ofLiteral(f[1]), port));
                        } catch (IllegalArgumentException e) {
                            LOG.warning("resolv.conf: name server \"" + f[1] + "\" is not an IP address, skipped");
                        }
                    }
                }
                case "domain" -> search = f.length > 1 ? List.of(trimDots(f[1])) : List.of();
                case "search" -> {
                    List<String> s = new ArrayList<>();
                    for (int i = 1; i < f.length; i++) s.add(trimDots(f[i]));
                    search = s;
                }
                case "options" -> {
                    for (int i = 1; i < f.length; i++) {
                        if (f[i].startsWith("ndots:")) ndots = Math.clamp(parseIntOrZero(f[i].substring(6)), 0, 15);
                    }
                }
                default -> { } // comments and options Prometheus does not use
            }
        }
        return new ResolvConf(servers, search, ndots);
    }

    /**
     * The absolute names to ask for {@code name}, in order: an absolute name alone; otherwise the
     * name first when it has more labels than ndots, then the name under each search domain, and
     * the name last when it has not.
     */
    public List<String> candidates(String name) {
        if (name.endsWith(".")) return List.of(name);
        boolean enoughDots = labelCount(name) > ndots;
        List<String> out = new ArrayList<>(search.size() + 1);
        if (enoughDots) out.add(name + ".");
        for (String s : search) out.add(name + "." + s + ".");
        if (!enoughDots) out.add(name + ".");
        return out;
    }

    static int labelCount(String name) {
        int n = 0;
        boolean inLabel = false;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '.') {
                inLabel = false;
            } else if (!inLabel) {
                inLabel = true;
                n++;
            }
        }
        return n;
    }

    /** The name without its trailing dots (Go's strings.TrimRight(name, ".")). */
    static String trimDots(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '.') end--;
        return s.substring(0, end);
    }

    private static int parseIntOrZero(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0; // as Go's strconv.Atoi error ignored
        }
    }
}
