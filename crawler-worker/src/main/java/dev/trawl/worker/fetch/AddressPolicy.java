package dev.trawl.worker.fetch;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * The SSRF guard: which resolved addresses a worker may connect to. Loopback, private, link-local, CGNAT,
 * multicast, unique-local, unspecified and broadcast addresses are denied unless an explicitly allowed range
 * contains them. Cloud metadata endpoints stay denied even then, unless a range names exactly that address:
 * opening {@code 169.254.0.0/16} for a lab network must not hand out instance credentials.
 */
public final class AddressPolicy {

    private static final List<Cidr> DENIED = List.of(
            Cidr.parse("0.0.0.0/8"),
            Cidr.parse("10.0.0.0/8"),
            Cidr.parse("100.64.0.0/10"),
            Cidr.parse("127.0.0.0/8"),
            Cidr.parse("169.254.0.0/16"),
            Cidr.parse("172.16.0.0/12"),
            Cidr.parse("192.168.0.0/16"),
            Cidr.parse("224.0.0.0/4"),
            Cidr.parse("240.0.0.0/4"),          // reserved, includes broadcast 255.255.255.255
            Cidr.parse("::/128"),
            Cidr.parse("::1/128"),
            Cidr.parse("fc00::/7"),
            Cidr.parse("fe80::/10"),
            Cidr.parse("fec0::/10"),
            Cidr.parse("ff00::/8"));

    private static final List<Cidr> METADATA = List.of(
            Cidr.parse("169.254.169.254"),
            Cidr.parse("fd00:ec2::254"),
            Cidr.parse("100.100.100.200"));

    private final List<Cidr> allowed;

    public AddressPolicy(List<String> allowedCidrs) {
        this.allowed = allowedCidrs.stream().map(Cidr::parse).toList();
    }

    /** Denies every special-purpose address. */
    public static AddressPolicy denyPrivate() {
        return new AddressPolicy(List.of());
    }

    public boolean isAllowed(InetAddress address) {
        Optional<InetAddress> embedded = embeddedIpv4(address);
        if (embedded.isPresent() && !isAllowed(embedded.get())) {
            // ::ffff:10.0.0.1, ::10.0.0.1, 64:ff9b::a00:1 and 2002:a00:1:: all reach 10.0.0.1 one way or another
            return false;
        }
        if (METADATA.stream().anyMatch(m -> m.contains(address))) {
            return allowed.stream().anyMatch(c -> c.isExactly(address));
        }
        if (!isSpecialPurpose(address)) {
            return true;
        }
        return allowed.stream().anyMatch(c -> c.contains(address));
    }

    /** The first address of {@code addresses} that is not allowed, if any: one bad address blocks the host. */
    public Optional<InetAddress> firstDenied(InetAddress[] addresses) {
        for (InetAddress address : addresses) {
            if (!isAllowed(address)) {
                return Optional.of(address);
            }
        }
        return Optional.empty();
    }

    /**
     * The IPv4 address an IPv6 address carries: IPv4-mapped ({@code ::ffff:0:0/96}, in case a resolver hands one
     * over as an {@code Inet6Address}), IPv4-compatible ({@code ::/96}), NAT64 ({@code 64:ff9b::/96}) and 6to4
     * ({@code 2002::/16}).
     */
    static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return Optional.empty();
        }
        byte[] b = address.getAddress();
        int from = -1;
        if (allZero(b, 0, 10) && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
            from = 12;
        } else if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b && allZero(b, 4, 12)) {
            from = 12;
        } else if (b[0] == 0x20 && b[1] == 0x02) {
            from = 2;
        }
        if (from < 0 || (from == 12 && allZero(b, 12, 16))) {
            return Optional.empty(); // "::" itself is checked as IPv6
        }
        try {
            return Optional.of(InetAddress.getByAddress(new byte[] {b[from], b[from + 1], b[from + 2], b[from + 3]}));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpecialPurpose(InetAddress address) {
        // the JDK's own predicates also cover IPv4-compatible forms the ranges above might miss
        return address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()
                || DENIED.stream().anyMatch(c -> c.contains(address));
    }
}
