import EmuPluginKit

/// S3's two timestamp forms, from and to milliseconds since 1970 on the host clock.
///
/// Written by hand rather than with `DateFormatter`: formatters are costly to create and not safe to share
/// between the threads that serve requests, and S3 needs exactly two fixed, locale-free shapes.
enum HTTPDate {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `2009-10-12T17:50:30.000Z`, as S3 writes timestamps inside XML bodies.
    static func iso8601(_ milliseconds: Int64) -> String {
        let parts = CivilCalendar.dateTime(milliseconds: milliseconds)
        let pad = CivilCalendar.pad
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T\(pad(parts.hour, 2)):"
            + "\(pad(parts.minute, 2)):\(pad(parts.second, 2)).\(pad(parts.millisecond, 3))Z"
    }

    /// `Mon, 12 Oct 2009 17:50:30 GMT` (RFC 7231), as S3 writes `Last-Modified` and other header timestamps.
    static func rfc1123(_ milliseconds: Int64) -> String {
        let parts = CivilCalendar.dateTime(milliseconds: milliseconds)
        let days = CivilCalendar.daysFromCivil(year: parts.year, month: parts.month, day: parts.day)
        let weekday = weekdays[((days % 7) + 7) % 7]
        let pad = CivilCalendar.pad
        return "\(weekday), \(pad(parts.day, 2)) \(months[parts.month - 1]) \(pad(parts.year, 4)) "
            + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2)) GMT"
    }

    /// Parses the ISO 8601 timestamps SDKs write into XML bodies: `2026-01-01T00:00:00Z`, with optional fractions
    /// and a zero `+00:00` offset, or a date alone (`2026-01-01`); nil for anything else.
    static func parseISO8601(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, !range.isEmpty,
                bytes[range].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
            else { return nil }
            return Int(String(decoding: bytes[range], as: UTF8.self))
        }
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), year >= 1,
            (1...12).contains(month), (1...CivilCalendar.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        var seconds = Int64(CivilCalendar.daysFromCivil(year: year, month: month, day: day)) * 86400
        var milliseconds: Int64 = 0
        if bytes.count > 10 {
            guard bytes.count >= 19, bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
                bytes[16] == UInt8(ascii: ":"), let hour = number(11..<13), let minute = number(14..<16),
                let second = number(17..<19), hour < 24, minute < 60, second <= 60
            else { return nil }
            seconds += Int64(hour * 3600 + minute * 60 + second)
            var index = 19
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                let start = index + 1
                index = start
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
                guard index > start, let fraction = number(start..<min(index, start + 3)) else { return nil }
                milliseconds = Int64(fraction) * [100, 10, 1][min(index, start + 3) - start - 1]
            }
            let zone = String(decoding: bytes[index...], as: UTF8.self)
            guard ["Z", "+00:00", "+0000", ""].contains(zone) else { return nil }
        }
        return seconds * 1000 + milliseconds
    }

    /// Parses an RFC 7231 date (`If-Modified-Since` and friends); nil for anything else, which S3 ignores.
    static func parseRFC1123(_ text: String) -> Int64? {
        // "Wed, 12 Oct 2009 17:50:00 GMT"
        let fields = text.split(separator: " ").map(String.init)
        guard fields.count == 6, fields[5] == "GMT", let day = Int(fields[1]),
            let monthIndex = months.firstIndex(of: fields[2]), let year = Int(fields[3])
        else { return nil }
        let clock = fields[4].split(separator: ":").compactMap { Int($0) }
        // Out-of-range fields are not a date (and would overflow the arithmetic below).
        guard clock.count == 3, (0...9999).contains(year), (1...31).contains(day), (0..<24).contains(clock[0]),
            (0..<60).contains(clock[1]), (0...60).contains(clock[2])
        else { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return (Int64(days) * 86400 + Int64(clock[0] * 3600 + clock[1] * 60 + clock[2])) * 1000
    }
}
