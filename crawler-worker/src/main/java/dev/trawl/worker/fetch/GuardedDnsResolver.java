package dev.trawl.worker.fetch;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.hc.client5.http.DnsResolver;

/**
 * The HTTP client's only way to turn a host into addresses: it resolves once, checks every address with the
 * {@link AddressPolicy} and hands the client exactly the addresses it checked, so the connection goes to an
 * address that passed the SSRF guard. A second lookup (DNS rebinding: public on the check, private on the
 * connect) has no way in. Called for every new connection, so for every redirect hop to a new origin too.
 */
final class GuardedDnsResolver implements DnsResolver {

    /** The host resolved to an address the policy denies; the message is the child's failure reason. */
    static final class BlockedAddressException extends UnknownHostException {

        BlockedAddressException(InetAddress address) {
            super("blocked address " + address.getHostAddress());
        }
    }

    private final AddressPolicy policy;

    GuardedDnsResolver(AddressPolicy policy) {
        this.policy = policy;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses = InetAddress.getAllByName(name);
        InetAddress denied = policy.firstDenied(addresses).orElse(null);
        if (denied != null) {
            throw new BlockedAddressException(denied);
        }
        return addresses;
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        // never used for connecting (no Kerberos/SPNEGO here); answering without a reverse lookup is safe
        return host;
    }
}
