import EmuPluginKit

/// The date values of the `Date*` condition operators, as seconds since 1970.
///
/// IAM accepts W3C/ISO 8601 dates (`2026-01-01`, `2026-01-01T12:00:00Z`, with fractions and `±hh:mm`
/// offsets) and epoch seconds (`1767268800`). Parsed by hand: the formats are fixed, and a parser that owns no
/// formatter object needs no locking and no Foundation.
enum PolicyDate {
    /// The instant the text names, or nil when it is neither an ISO 8601 date nor epoch seconds.
    static func seconds(_ text: String) -> Double? {
        if let epoch = epochSeconds(text) { return epoch }
        return iso8601Seconds(Array(text.utf8))
    }

    private static func epochSeconds(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }),
            text.utf8.dropFirst().allSatisfy({ $0 != 0x2D })
        else { return nil }
        return Double(text)
    }

    private static func iso8601Seconds(_ s: [UInt8]) -> Double? {
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= s.count else { return nil }
            var value = 0
            for byte in s[i..<(i + count)] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            i += count
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard i < s.count, s[i] == byte else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2),
            (1...12).contains(month), (1...CivilCalendar.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        var seconds = Double(CivilCalendar.daysFromCivil(year: year, month: month, day: day)) * 86_400
        if i == s.count { return seconds }
        guard expect(0x54) || expect(0x74), let hour = digits(2), expect(0x3A), let minute = digits(2),
            hour < 24, minute < 60
        else { return nil }
        seconds += Double(hour * 3600 + minute * 60)
        if expect(0x3A) {
            guard let second = digits(2), second < 61 else { return nil }
            seconds += Double(second)
            if expect(0x2E) {
                var scale = 0.1
                var fraction = 0.0
                let start = i
                while i < s.count, s[i] >= 0x30, s[i] <= 0x39 {
                    fraction += Double(s[i] - 0x30) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
                seconds += fraction
            }
        }
        if expect(0x5A) || expect(0x7A) { return i == s.count ? seconds : nil }
        if i == s.count { return seconds }  // no zone: UTC, as IAM reads it
        guard i < s.count, s[i] == 0x2B || s[i] == 0x2D else { return nil }
        let sign: Double = s[i] == 0x2B ? 1 : -1
        i += 1
        guard let offsetHours = digits(2) else { return nil }
        _ = expect(0x3A)
        guard let offsetMinutes = digits(2), i == s.count else { return nil }
        return seconds - sign * Double(offsetHours * 3600 + offsetMinutes * 60)
    }
}
