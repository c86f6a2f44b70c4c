// The pcapng blocks vpcstack writes (draft-ietf-opsawg-pcapng): section header, interface
// description and enhanced packet blocks, little-endian, each with its options; the splitter
// that cuts such a stream into blocks again; and the BPF filter compiled by libpcap.
#include <pcap/pcap.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "vpcstack/observe/capture.hpp"

namespace vpcstack::observe {

namespace {

constexpr std::uint32_t kSectionHeaderBlock = 0x0A0D0D0A;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint32_t kInterfaceDescriptionBlock = 0x00000001;
constexpr std::uint32_t kEnhancedPacketBlock = 0x00000006;
constexpr std::uint16_t kLinkTypeEthernet = 1;
constexpr std::uint32_t kSnapLength = 262144;

// Option codes.
constexpr std::uint16_t kOptEndOfOpt = 0;
constexpr std::uint16_t kOptComment = 1;
constexpr std::uint16_t kShbUserAppl = 4;
constexpr std::uint16_t kIfName = 2;
constexpr std::uint16_t kIfDescription = 3;
constexpr std::uint16_t kIfTsresol = 9;
constexpr std::uint16_t kEpbFlags = 2;
constexpr std::uint16_t kEpbPacketId = 5;

class BlockBuilder {
  public:
    explicit BlockBuilder(std::vector<std::uint8_t>& out, std::uint32_t type) : out_(out) {
        out_.clear();
        u32(type);
        u32(0);  // total length, set by finish()
    }
    void u16(std::uint16_t v) { raw(&v, 2); }
    void u32(std::uint32_t v) { raw(&v, 4); }
    void u64(std::uint64_t v) { raw(&v, 8); }
    void raw(const void* p, std::size_t n) {
        const auto* b = static_cast<const std::uint8_t*>(p);
        out_.insert(out_.end(), b, b + n);
    }
    void pad() {
        while (out_.size() % 4 != 0) out_.push_back(0);
    }
    void option(std::uint16_t code, const void* value, std::size_t length) {
        u16(code);
        u16(static_cast<std::uint16_t>(length));
        raw(value, length);
        pad();
    }
    void option(std::uint16_t code, std::string_view text) {
        option(code, text.data(), std::min<std::size_t>(text.size(), 0xffff));
    }
    std::span<const std::uint8_t> finish() {
        option(kOptEndOfOpt, nullptr, 0);
        const auto total = static_cast<std::uint32_t>(out_.size() + 4);
        u32(total);
        std::memcpy(out_.data() + 4, &total, 4);
        return out_;
    }

  private:
    std::vector<std::uint8_t>& out_;
};

static_assert(std::endian::native == std::endian::little, "pcapng blocks are written as stored");

}  // namespace

PcapngWriter::PcapngWriter(CaptureOutput out) : out_(std::move(out)) {
    BlockBuilder b(block_, kSectionHeaderBlock);
    b.u32(kByteOrderMagic);
    b.u16(1);                  // major version
    b.u16(0);                  // minor version
    b.u64(~std::uint64_t{0});  // section length: not given
    b.option(kShbUserAppl, "vpcstack");
    emit(b.finish());
}

std::uint32_t PcapngWriter::add_interface(std::string_view name, std::string_view description) {
    BlockBuilder b(block_, kInterfaceDescriptionBlock);
    b.u16(kLinkTypeEthernet);
    b.u16(0);  // reserved
    b.u32(kSnapLength);
    b.option(kIfName, name);
    if (!description.empty()) b.option(kIfDescription, description);
    const std::uint8_t nanoseconds = 9;
    b.option(kIfTsresol, &nanoseconds, 1);
    emit(b.finish());
    return interfaces_++;
}

void PcapngWriter::packet(std::uint32_t interface, std::uint64_t time_ns,
                          std::span<const std::uint8_t> frame, engine::CaptureDirection direction,
                          std::optional<std::uint64_t> packet_id, std::string_view comment) {
    const std::size_t captured = std::min<std::size_t>(frame.size(), kSnapLength);
    BlockBuilder b(block_, kEnhancedPacketBlock);
    b.u32(interface);
    b.u32(static_cast<std::uint32_t>(time_ns >> 32));
    b.u32(static_cast<std::uint32_t>(time_ns));
    b.u32(static_cast<std::uint32_t>(captured));
    b.u32(static_cast<std::uint32_t>(frame.size()));
    b.raw(frame.data(), captured);
    b.pad();
    if (!comment.empty()) b.option(kOptComment, comment);
    if (direction != engine::CaptureDirection::Unknown) {
        const auto flags = static_cast<std::uint32_t>(direction);  // bits 0-1: the direction
        b.option(kEpbFlags, &flags, 4);
    }
    if (packet_id) b.option(kEpbPacketId, &*packet_id, 8);
    emit(b.finish());
}

void PcapngWriter::emit(std::span<const std::uint8_t> block) {
    if (ok_ && !out_(block)) ok_ = false;
}

void PcapngBlockSplitter::append(std::span<const std::uint8_t> bytes) {
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

std::optional<PcapngBlockSplitter::Block> PcapngBlockSplitter::next() {
    if (!error_.empty() || buffer_.size() - read_ < 12) return std::nullopt;
    const std::uint8_t* at = buffer_.data() + read_;
    std::uint32_t type = 0;
    std::uint32_t length = 0;
    std::memcpy(&type, at, 4);
    std::memcpy(&length, at + 4, 4);
    if (first_ && type != kSectionHeaderBlock) {
        error_ = "not a pcapng stream: it does not open with a section header block";
        return std::nullopt;
    }
    if (type == kSectionHeaderBlock) {
        std::uint32_t magic = 0;
        std::memcpy(&magic, at + 8, 4);
        if (magic != kByteOrderMagic) {
            error_ = "not a little-endian pcapng section";
            return std::nullopt;
        }
    }
    if (length < 12 || length % 4 != 0) {
        error_ = "a pcapng block of length " + std::to_string(length) +
                 "; expected a multiple of 4, at least 12";
        return std::nullopt;
    }
    if (buffer_.size() - read_ < length) return std::nullopt;
    std::uint32_t trailing = 0;
    std::memcpy(&trailing, at + length - 4, 4);
    if (trailing != length) {
        error_ = "a pcapng block whose trailing length differs from its leading one";
        return std::nullopt;
    }
    first_ = false;
    read_ += length;
    Block block;
    block.bytes = {at, length};
    switch (type) {
        case kSectionHeaderBlock:
            block.type = Type::SectionHeader;
            break;
        case kInterfaceDescriptionBlock:
            block.type = Type::InterfaceDescription;
            break;
        case kEnhancedPacketBlock:
            block.type = Type::EnhancedPacket;
            break;
        default:
            break;
    }
    return block;
}

void PcapngBlockSplitter::take() {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(read_));
    read_ = 0;
}

struct PacketFilter::Program {
    bpf_program bpf{};
    ~Program() { pcap_freecode(&bpf); }
};

PacketFilter::PacketFilter(const std::string& expression) : program_(std::make_unique<Program>()) {
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, static_cast<int>(kSnapLength));
    if (dead == nullptr) throw std::runtime_error("libpcap could not open a dead handle");
    const int rc = pcap_compile(dead, &program_->bpf, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN);
    std::string error = rc != 0 ? pcap_geterr(dead) : "";
    pcap_close(dead);
    if (rc != 0) {
        program_->bpf = {};
        throw std::invalid_argument("filter \"" + expression + "\": " + error);
    }
}

PacketFilter::~PacketFilter() = default;

bool PacketFilter::matches(std::span<const std::uint8_t> frame) const {
    pcap_pkthdr header{};
    header.caplen = static_cast<bpf_u_int32>(frame.size());
    header.len = header.caplen;
    return pcap_offline_filter(&program_->bpf, &header, frame.data()) != 0;
}

}  // namespace vpcstack::observe
