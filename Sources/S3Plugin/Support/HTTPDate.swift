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
