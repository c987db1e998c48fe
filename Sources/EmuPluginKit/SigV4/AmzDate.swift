/// SigV4's timestamp, `20260101T120000Z` (`X-Amz-Date`), to and from seconds since 1970.
///
/// Written with `CivilCalendar` rather than `DateFormatter`: the shape is fixed and locale-free, a formatter is costly
/// to build per request and not safe to share between threads, and `DateFormatter` is Foundation's, which the host
/// and plugins do not load (FoundationEssentials lacks it).
public enum AmzDate {
    /// The whole seconds of `seconds`, in UTC.
    public static func format(_ seconds: Double) -> String {
        let time = CivilCalendar.dateTime(milliseconds: Int64(seconds.rounded(.down)) * 1000)
        let pad = CivilCalendar.pad
        return pad(time.year, 4) + pad(time.month, 2) + pad(time.day, 2) + "T" + pad(time.hour, 2)
            + pad(time.minute, 2) + pad(time.second, 2) + "Z"
    }

    /// Seconds since 1970 for exactly `yyyyMMdd'T'HHmmss'Z'` naming a real date; nil for anything else.
    public static func parse(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
            (1...12).contains(month), (1...CivilCalendar.daysInMonth(year: year, month: month)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second)
    }
}
