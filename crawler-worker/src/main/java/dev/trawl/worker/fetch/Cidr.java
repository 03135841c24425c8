package dev.trawl.worker.fetch;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address range such as {@code 10.0.0.0/8} or {@code fc00::/7}; a bare address is a one-address range. */
public record Cidr(byte[] network, int prefixLength) {

    /**
     * @throws IllegalArgumentException when {@code cidr} is not an IP literal with an optional prefix length
     */
    public static Cidr parse(String cidr) {
        String text = cidr.trim();
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        if (host.isEmpty() || !(host.indexOf(':') >= 0 || Character.digit(host.charAt(0), 16) >= 0)) {
            throw new IllegalArgumentException("not an IP range: " + cidr);
        }
        byte[] address;
        try {
            // an IP literal never triggers a DNS lookup; the check above keeps host names out
            address = InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP range: " + cidr, e);
        }
        int bits = address.length * 8;
        int prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("bad prefix length in " + cidr);
        }
        return new Cidr(address, prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (candidate[full] & mask) == (network[full] & mask);
    }

    /** True when this range is exactly the single address {@code address}. */
    public boolean isExactly(InetAddress address) {
        return prefixLength == network.length * 8 && contains(address);
    }
}
