import Testing

@testable import S3Plugin

/// When lifecycle actions fall due, and the ISO 8601 dates rules carry.
@Suite struct LifecycleScheduleTests {
    private let day = LifecycleSchedule.day

    /// S3's own example: written Tue, 14 Aug 2018 19:57:04 GMT with 60 days, it expires Sun, 14 Oct 2018 00:00 GMT.
    @Test func daysRoundUpToMidnight() throws {
        let written = try #require(HTTPDate.parseRFC1123("Tue, 14 Aug 2018 19:57:04 GMT"))
        #expect(HTTPDate.rfc1123(LifecycleSchedule.due(after: written, days: 60)) == "Sun, 14 Oct 2018 00:00:00 GMT")
        // Exactly at midnight there is nothing to round.
        #expect(LifecycleSchedule.due(after: 10 * day, days: 3) == 13 * day)
        // A count too large to reach is never, not an overflow.
        #expect(LifecycleSchedule.due(after: 10 * day, days: Int.max) == .max)
        #expect(LifecycleSchedule.due(after: 10 * day, days: Int(Int32.max)) < .max)
    }

    @Test func transitionsOnlyGoDown() {
        #expect(LifecycleSchedule.rank("DEEP_ARCHIVE") > LifecycleSchedule.rank("GLACIER"))
        #expect(LifecycleSchedule.rank("GLACIER_IR") > LifecycleSchedule.rank("STANDARD_IA"))
        #expect(LifecycleSchedule.rank("STANDARD_IA") > LifecycleSchedule.rank("STANDARD"))
    }

    @Test(arguments: [("2030-01-01T00:00:00Z", true), ("2030-01-01T00:00:00.000Z", true), ("2030-01-01", true),
                      ("2030-01-01T00:00:00+00:00", true), ("2030-01-01T10:00:00Z", true), ("2030-13-01", false),
                      ("2030-01-01T00:00:00+02:00", false), ("soon", false), ("2030-01-01T00:00", false),
                      ("2030-02-31", false), ("2028-02-29", true), ("0000-01-01", false)])
    func isoDates(text: String, parses: Bool) {
        #expect((HTTPDate.parseISO8601(text) != nil) == parses)
    }

    @Test func isoDatesAreExact() {
        #expect(HTTPDate.parseISO8601("1970-01-02T00:00:01.5Z") == day + 1500)
        #expect(HTTPDate.parseISO8601("2030-01-01").map(HTTPDate.iso8601) == "2030-01-01T00:00:00.000Z")
    }

    @Test func filtersMatchPrefixTagsAndSizes() {
        let filter = LifecycleFilter(form: .and, prefix: "data/", tags: [S3Tag(key: "tier", value: "cold")],
                                     objectSizeGreaterThan: 10, objectSizeLessThan: 100)
        #expect(filter.matches(key: "data/x", tags: [S3Tag(key: "tier", value: "cold"), S3Tag(key: "o", value: "1")], size: 50))
        #expect(!filter.matches(key: "logs/x", tags: [S3Tag(key: "tier", value: "cold")], size: 50))
        #expect(!filter.matches(key: "data/x", tags: nil, size: 50))
        #expect(!filter.matches(key: "data/x", tags: [S3Tag(key: "tier", value: "cold")], size: 10))
        #expect(!filter.matches(key: "data/x", tags: [S3Tag(key: "tier", value: "cold")], size: 100))
        #expect(LifecycleFilter(form: .filter).matches(key: "anything", tags: nil, size: 0))
    }
}
