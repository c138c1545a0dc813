package dev.vigil.ingest.discovery;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.logging.Logger;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Asks DNS servers the way Prometheus's DNS service discovery does: a recursive query with EDNS0
 * (4,096-byte answers) over UDP, again over TCP without EDNS0 when the answer was truncated; each
 * server in turn until one gives a viable answer (NOERROR or NXDOMAIN); each search-list
 * candidate of the name in turn until one exists.
 *
 * <p>dnsjava encodes and decodes the messages; the exchange is plain blocking sockets, so a lookup
 * parks only its own virtual thread and no resolver thread stays behind between refreshes.
 */
final class DnsClient {
    private static final Logger LOG = Logger.getLogger(DnsClient.class.getName());
    private static final int EDNS_PAYLOAD = 4096;

    private final int timeoutMs;

    DnsClient(int timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    /**
     * The answer records for {@code name}: those of the first candidate name that exists, or none
     * when every server says that no candidate exists.
     *
     * @throws IOException when some candidate got no viable answer from any server, so it is not
     *     known whether records exist (the caller keeps what it had)
     */
    List<Record> lookup(ResolvConf conf, String name, int type) throws IOException {
        boolean allViable = true;
        for (String candidate : conf.candidates(name)) {
            Message m = askAnyServer(conf, candidate, type);
            if (m == null) {
                allViable = false;
            } else if (m.getRcode() == Rcode.NOERROR) {
                return m.getSection(Section.ANSWER);
            }
        }
        if (allViable) return List.of();
        throw new IOException("could not resolve \"" + name + "\": all servers responded with errors to at least one search domain");
    }

    /** The first viable answer for an absolute name, or null. */
    private Message askAnyServer(ResolvConf conf, String absoluteName, int type) {
        for (InetSocketAddress server : conf.servers()) {
            try {
                Message m = ask(server, absoluteName, type);
                if (m.getRcode() == Rcode.NOERROR || m.getRcode() == Rcode.NXDOMAIN) return m;
            } catch (IOException e) {
                LOG.warning("DNS resolution failed [server=" + server + ", name=" + absoluteName + "]: " + e.getMessage());
            }
        }
        return null;
    }

    Message ask(InetSocketAddress server, String absoluteName, int type) throws IOException {
        Name qname = Name.fromString(absoluteName);
        Message query = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
        query.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
        Message answer = udp(server, query);
        if (!answer.getHeader().getFlag(Flags.TC)) return answer;
        Message plain = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
        answer = tcp(server, plain);
        if (answer.getHeader().getFlag(Flags.TC)) throw new IOException("got truncated message on TCP (64kiB limit exceeded?)");
        return answer;
    }

    private Message udp(InetSocketAddress server, Message query) throws IOException {
        byte[] out = query.toWire();
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(server);
            s.send(new DatagramPacket(out, out.length));
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            byte[] in = new byte[65_535];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) throw new SocketTimeoutException("no answer within " + timeoutMs + " ms");
                s.setSoTimeout((int) left);
                DatagramPacket p = new DatagramPacket(in, in.length);
                s.receive(p);
                Message m = parse(in, p.getLength());
                // a stray or late answer to another query: keep waiting for ours
                if (m.getHeader().getID() == query.getHeader().getID()) return m;
            }
        }
    }

    private Message tcp(InetSocketAddress server, Message query) throws IOException {
        byte[] out = query.toWire();
        try (Socket s = new Socket()) {
            s.connect(server, timeoutMs);
            s.setSoTimeout(timeoutMs);
            DataOutputStream o = new DataOutputStream(s.getOutputStream());
            o.writeShort(out.length);
            o.write(out);
            o.flush();
            DataInputStream i = new DataInputStream(s.getInputStream());
            int len = i.readUnsignedShort();
            byte[] in = i.readNBytes(len);
            if (in.length < len) throw new IOException("the server closed the connection mid-answer");
            Message m = parse(in, len);
            if (m.getHeader().getID() != query.getHeader().getID()) throw new IOException("answer id does not match the query");
            return m;
        }
    }

    private static Message parse(byte[] b, int len) throws IOException {
        byte[] exact = len == b.length ? b : java.util.Arrays.copyOf(b, len);
        try {
            return new Message(exact);
        } catch (IOException e) {
            throw new IOException("malformed DNS answer: " + e.getMessage(), e);
        }
    }

    /** Go's text form of an IP address: dotted IPv4 (also for IPv4-mapped IPv6), compressed IPv6. */
    static String ipString(byte[] a) {
        if (a.length == 4) return (a[0] & 255) + "." + (a[1] & 255) + "." + (a[2] & 255) + "." + (a[3] & 255);
        boolean mapped = true;
        for (int i = 0; i < 10; i++) mapped &= a[i] == 0;
        if (mapped && (a[10] & 255) == 255 && (a[11] & 255) == 255) return ipString(java.util.Arrays.copyOfRange(a, 12, 16));
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((a[2 * i] & 255) << 8) | (a[2 * i + 1] & 255);
        // the first longest run of two or more zero groups becomes "::" (RFC 5952)
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
