import EmuPluginKit
import Testing

/// Query-protocol parameters arrive form-encoded; decoding must match what SDKs and browsers encode.
@Suite struct FormDecodingTests {
    @Test func decodesPairsInOrder() {
        let pairs = FormDecoding.pairs("Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1")
        #expect(pairs.map(\.0) == ["Action", "Version", "RoleSessionName"])
        #expect(pairs.map(\.1) == ["AssumeRole", "2011-06-15", "s1"])
    }

    @Test func decodesPercentEscapesAndPlus() {
        let values = FormDecoding.dictionary("a=x%20y&b=x+y&c=%2B&d=%C3%A9t%C3%A9&e=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr")
        #expect(values["a"] == "x y")
        #expect(values["b"] == "x y")
        #expect(values["c"] == "+")
        #expect(values["d"] == "été")
        #expect(values["e"] == "arn:aws:iam::1:role/r")
    }

    @Test func keepsBrokenEscapesLiterally() {
        let values = FormDecoding.dictionary("a=%zz&b=100%&c=%4")
        #expect(values["a"] == "%zz")
        #expect(values["b"] == "100%")
        #expect(values["c"] == "%4")
    }

    @Test func namesWithoutValuesAndEmptyParts() {
        let pairs = FormDecoding.pairs("flag&&x=1&=empty")
        #expect(pairs.map(\.0) == ["flag", "x", ""])
        #expect(pairs.map(\.1) == ["", "1", "empty"])
        #expect(FormDecoding.pairs("").isEmpty)
    }

    @Test func firstValueOfARepeatedNameWins() {
        #expect(FormDecoding.dictionary("a=1&a=2")["a"] == "1")
    }

    @Test func plusStaysInPathsWhenAsked() {
        #expect(FormDecoding.percentDecoded("a+b%2Fc", plusIsSpace: false) == "a+b/c")
    }
}
