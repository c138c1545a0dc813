package dev.vigil.ingest.discovery;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * A DNS server on 127.0.0.1 (UDP and TCP on the same port) answering from a table: the records of
 * a name, NXDOMAIN for a name it does not know, SERVFAIL for names told to fail. It can truncate
 * its UDP answers, so that clients must ask again over TCP.
 */
final class FakeDnsServer implements AutoCloseable {
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    final Set<Name> failing = ConcurrentHashMap.newKeySet();
    volatile boolean truncateUdp;
    final AtomicInteger udpQueries = new AtomicInteger();
    final AtomicInteger tcpQueries = new AtomicInteger();
    final List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;

    FakeDnsServer() throws IOException {
        // one port for both: bind TCP first on an ephemeral port, then UDP on the same number
        tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.getLocalPort()));
        Thread.ofPlatform().daemon().name("fake-dns-udp").start(this::serveUdp);
        Thread.ofPlatform().daemon().name("fake-dns-tcp").start(this::serveTcp);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.getLocalPort());
    }

    /** Replaces the records of {@code name} (absolute); an empty list makes a name that exists but has none. */
    void set(String name, Record... rs) {
        records.put(Name.fromConstantString(name), List.of(rs));
    }

    void remove(String name) {
        records.remove(Name.fromConstantString(name));
    }

    private Message answer(Message q) {
        Message m = new Message(q.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.RA);
        Record question = q.getQuestion();
        m.addRecord(question, Section.QUESTION);
        asked.add(question.getName().toString() + " " + org.xbill.DNS.Type.string(question.getType()));
        if (failing.contains(question.getName())) {
            m.getHeader().setRcode(Rcode.SERVFAIL);
            return m;
        }
        List<Record> rs = records.get(question.getName());
        if (rs == null) {
            m.getHeader().setRcode(Rcode.NXDOMAIN);
            return m;
        }
        for (Record r : rs) {
            // the CNAME chain and the records of the asked type, as a recursive server answers
            if (r.getType() == question.getType() || r.getType() == org.xbill.DNS.Type.CNAME) m.addRecord(r, Section.ANSWER);
        }
        return m;
    }

    private void serveUdp() {
        byte[] buf = new byte[65_535];
        while (!closed) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                udpQueries.incrementAndGet();
                Message q = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
                Message a = answer(q);
                if (truncateUdp && !a.getSection(Section.ANSWER).isEmpty()) {
                    Message t = new Message(q.getHeader().getID());
                    t.getHeader().setFlag(Flags.QR);
                    t.getHeader().setFlag(Flags.TC);
                    t.addRecord(q.getQuestion(), Section.QUESTION);
                    a = t;
                }
                byte[] out = a.toWire();
                udp.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private void serveTcp() {
        while (!closed) {
            try (Socket s = tcp.accept()) {
                tcpQueries.incrementAndGet();
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] q = in.readNBytes(in.readUnsignedShort());
                byte[] out = answer(new Message(q)).toWire();
                DataOutputStream o = new DataOutputStream(s.getOutputStream());
                o.writeShort(out.length);
                o.write(out);
                o.flush();
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    /** resolv.conf settings naming this server (and any others before it). */
    ResolvConf resolvConf(List<String> search, int ndots, InetSocketAddress... before) {
        List<InetSocketAddress> servers = new ArrayList<>(List.of(before));
        servers.add(address());
        return new ResolvConf(servers, search, ndots);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        udp.close();
        tcp.close();
    }
}
