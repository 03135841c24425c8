package dev.trawl.worker.fetch;

import java.net.InetAddress;
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

    private static boolean isSpecialPurpose(InetAddress address) {
        // the JDK's own predicates also cover IPv4-compatible forms the ranges above might miss
        return address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()
                || DENIED.stream().anyMatch(c -> c.contains(address));
    }
}
