#include "vpcstack/net/checksum.hpp"

#include "vpcstack/net/bytes.hpp"

namespace vpcstack::net {

std::uint32_t ones_sum(std::span<const std::uint8_t> bytes, std::uint32_t sum) noexcept {
    // 32-bit words into a 64-bit accumulator: half the additions of 16-bit words, and a 64 KB GSO
    // frame cannot overflow it. The result is the same, since 2^16 = 1 modulo 0xffff.
    std::uint64_t acc = sum;
    const std::size_t n = bytes.size();
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) acc += load32(bytes.data() + i);
    if (i + 2 <= n) {
        acc += load16(bytes.data() + i);
        i += 2;
    }
    if (i < n) acc += std::uint64_t{bytes[i]} << 8;
    while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
    return static_cast<std::uint32_t>(acc);
}

}  // namespace vpcstack::net
