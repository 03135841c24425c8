package dev.trawl.worker.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AddressPolicyTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
            "169.254.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.254", "224.0.0.1", "239.1.1.1", "0.0.0.0",
            "0.1.2.3", "255.255.255.255", "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1",
            "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "::a9fe:a9fe", "64:ff9b::a9fe:a9fe",
            "64:ff9b::7f00:1", "2002:7f00:1::", "2002:a00:1::1", "::ffff:169.254.169.254"})
    void deniesSpecialPurposeAddressesByDefault(String address) {
        assertThat(AddressPolicy.denyPrivate().isAllowed(ip(address))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "64:ff9b::808:808",
            "2002:808:808::1"})
    void allowsPublicAddresses(String address) {
        assertThat(AddressPolicy.denyPrivate().isAllowed(ip(address))).isTrue();
    }

    @Test
    void allowedCidrOpensExactlyItsRange() {
        AddressPolicy loopbackAllowed = new AddressPolicy(List.of("127.0.0.0/8"));

        assertThat(loopbackAllowed.isAllowed(ip("127.0.0.1"))).isTrue();
        assertThat(loopbackAllowed.isAllowed(ip("127.255.0.9"))).isTrue();
        assertThat(loopbackAllowed.isAllowed(ip("10.0.0.1"))).isFalse();
        assertThat(loopbackAllowed.isAllowed(ip("192.168.0.1"))).isFalse();
        assertThat(loopbackAllowed.isAllowed(ip("169.254.169.254"))).isFalse();
        assertThat(loopbackAllowed.isAllowed(ip("::1"))).isFalse();
    }

    @Test
    void metadataAddressStaysDeniedUnlessListedItself() {
        assertThat(new AddressPolicy(List.of("169.254.0.0/16")).isAllowed(ip("169.254.169.254"))).isFalse();
        assertThat(new AddressPolicy(List.of("169.254.0.0/16")).isAllowed(ip("169.254.1.1"))).isTrue();
        assertThat(new AddressPolicy(List.of("169.254.169.254/32")).isAllowed(ip("169.254.169.254"))).isTrue();
    }

    @Test
    void oneDeniedAddressAmongSeveralBlocksTheHost() {
        InetAddress[] resolved = {ip("93.184.216.34"), ip("10.0.0.7")};

        assertThat(AddressPolicy.denyPrivate().firstDenied(resolved)).contains(ip("10.0.0.7"));
    }

    @Test
    void anAllowedLoopbackRangeDoesNotOpenTheMetadataAddressHiddenInIpv6() {
        AddressPolicy loopbackAllowed = new AddressPolicy(List.of("127.0.0.0/8"));

        assertThat(loopbackAllowed.isAllowed(ip("::ffff:127.0.0.1"))).isTrue();
        assertThat(loopbackAllowed.isAllowed(ip("64:ff9b::a9fe:a9fe"))).isFalse();
    }

    @Test
    void theResolverRefusesAHostNameThatResolvesToADeniedAddress() {
        GuardedDnsResolver resolver = new GuardedDnsResolver(AddressPolicy.denyPrivate());

        assertThatThrownBy(() -> resolver.resolve("localhost"))
                .isInstanceOf(GuardedDnsResolver.BlockedAddressException.class)
                .hasMessageStartingWith("blocked address ");
    }

    @Test
    void theResolverHandsOverExactlyTheAddressesItChecked() throws Exception {
        GuardedDnsResolver resolver = new GuardedDnsResolver(new AddressPolicy(List.of("127.0.0.0/8")));

        assertThat(resolver.resolve("127.0.0.5")).containsExactly(ip("127.0.0.5"));
    }

    @Test
    void parsesIpv6RangesAndBareAddresses() {
        assertThat(Cidr.parse("fc00::/7").contains(ip("fdff::1"))).isTrue();
        assertThat(Cidr.parse("fc00::/7").contains(ip("fe00::1"))).isFalse();
        assertThat(Cidr.parse("10.0.0.5").contains(ip("10.0.0.5"))).isTrue();
        assertThat(Cidr.parse("10.0.0.5").contains(ip("10.0.0.6"))).isFalse();
    }
}
