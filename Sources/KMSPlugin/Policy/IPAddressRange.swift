/// An IPv4 or IPv6 CIDR block, for the `IpAddress` and `NotIpAddress` operators (`aws:SourceIp`).
///
/// Key policies often deny requests from outside a network; the operators must parse for such a policy to
/// be accepted at all, and evaluating them costs little. A bare address is a block of one.
struct IPAddressRange: Sendable, Equatable {
    let network: [UInt8]
    let prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.parseAddress(String(parts[0])) else { return nil }
        let length: Int
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...(address.count * 8)).contains(parsed) else { return nil }
            length = parsed
        } else {
            length = address.count * 8
        }
        network = address
        prefixLength = length
    }

    /// Whether an address lies in the block; an address of the other family never does.
    func contains(_ addressText: String) -> Bool {
        guard let address = Self.parseAddress(addressText), address.count == network.count else { return false }
        var remaining = prefixLength
        for index in 0..<address.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            guard address[index] & mask == network[index] & mask else { return false }
            remaining -= bits
        }
        return true
    }

    /// 4 bytes for dotted IPv4, 16 for IPv6 (with `::` and a trailing dotted quad).
    static func parseAddress(_ text: String) -> [UInt8]? {
        if !text.contains(":") { return parseIPv4(Substring(text)) }
        let halves = Self.splitAtDoubleColons(text)
        guard halves.count <= 2 else { return nil }
        guard let first = parseGroups(halves[0], allowIPv4Tail: halves.count == 1) else { return nil }
        if halves.count == 2 {
            guard let second = parseGroups(halves[1], allowIPv4Tail: true), first.count + second.count <= 14 else {
                return nil
            }
            return first + [UInt8](repeating: 0, count: 16 - first.count - second.count) + second
        }
        return first.count == 16 ? first : nil
    }

    private static func parseGroups(_ text: Substring, allowIPv4Tail: Bool) -> [UInt8]? {
        if text.isEmpty { return [] }
        var bytes: [UInt8] = []
        let groups = text.split(separator: ":", omittingEmptySubsequences: false)
        for (index, group) in groups.enumerated() {
            if index == groups.count - 1, allowIPv4Tail, group.contains(".") {
                guard let quad = parseIPv4(group) else { return nil }
                bytes += quad
                continue
            }
            guard (1...4).contains(group.count), group.allSatisfy(\.isHexDigit), let value = UInt16(group, radix: 16)
            else { return nil }
            bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
        }
        return bytes
    }

    /// The text split at each `::` (an IPv6 address may hold at most one).
    private static func splitAtDoubleColons(_ text: String) -> [Substring] {
        var parts: [Substring] = []
        var rest = Substring(text)
        while let range = rest.firstRange(of: "::") {
            parts.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        parts.append(rest)
        return parts
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for octet in octets {
            guard (1...3).contains(octet.count), octet.allSatisfy({ $0 >= "0" && $0 <= "9" }), let value = UInt8(octet)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }
}
