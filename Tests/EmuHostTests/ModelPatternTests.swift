import Foundation
import Testing
@testable import EmuPluginKit

/// The validator matches the models' patterns with the standard library's `Regex`, while AWS (and the patterns'
/// syntax) is ICU's. For every pattern in the generated KMS and Secrets Manager models, `Regex` must read it and
/// agree with NSRegularExpression (ICU) on whole-string matches of a spread of texts.
@Suite struct ModelPatternTests {
    /// The patterns of every generated model, read from the sources (the models live in the plugin targets).
    static let patterns: [String] = {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let models = ["KMSPlugin/Validation/KMSServiceModel.generated.swift",
                      "SecretsManagerPlugin/Validation/SecretsManagerServiceModel.generated.swift"]
        var found = Set<String>()
        for model in models {
            guard let text = try? String(contentsOf: sources.appendingPathComponent(model), encoding: .utf8),
                let start = text.range(of: "#\"\"\"\n"), let end = text.range(of: "\n\"\"\"#"),
                let json = try? JSONSerialization.jsonObject(with: Data(text[start.upperBound..<end.lowerBound].utf8))
                    as? [String: Any],
                let shapes = json["shapes"] as? [String: [String: Any]]
            else { continue }
            for shape in shapes.values { if let pattern = shape["pattern"] as? String { found.insert(pattern) } }
        }
        return found.sorted()
    }()

    static let texts = [
        "", "a", "abc", "ABC123", "Zm9vYmFy", "deadbeef", "DEADBEEF", "MZXW6===", "alias/my-key", "alias/aws/s3",
        "alias/a b", "1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:kms:us-east-1:111122223333:key/abc",
        "arn:aws-cn:iam::111122223333:role/x", "arn:aws:kms:us-east-1:12345:key/abc", "111122223333", "11112222333",
        "us-east-1", "us-gov-west-1", "eu-1", "10h", "h", "/kms/xks/v1", "/kms/xks/v123", "/prefix/kms/xks/v2",
        "https://xks.example.com", "http://xks.example.com", "com.amazonaws.vpce.us-east-1.vpce-svc-0abc123",
        "a.b.c", "a.b", "cluster-234567abcdefg", "cluster-1", "!secret:name", "name with spaces", "tab\there",
        "line\nbreak", "cr\rhere", "a\u{0}b", "\u{7F}", "caf\u{E9}", "\u{FF}", "\u{100}", "日本語", "\u{1F600}",
        "e\u{301}", "a\u{200D}b", "a\u{203F}b", "\u{661}\u{662}", "x\u{2028}y", "name@example.com", "a+b=c,d.e@f",
        "path/to/key_1", "a\\b", "(a) #1?*", "under_score-dash",
    ]

    @Test func everyModelPatternIsReadByRegex() {
        #expect(Self.patterns.count >= 20, "the generated models were not found or carry no patterns")
        for pattern in Self.patterns {
            #expect(ModelPattern(pattern).matches("") != nil, "Regex cannot read the model pattern \(pattern)")
        }
    }

    @Test func regexMatchesAsICUDoes() throws {
        let long = String(repeating: "{\"Effect\": \"Allow\", \"Action\": \"kms:*\"}\n", count: 200)
        let texts = Self.texts + [long, long + "\u{100}", long + "\u{1F600}", String(repeating: "a", count: 5000)]
        for pattern in Self.patterns {
            let icu = try NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
            let model = ModelPattern(pattern)
            for text in texts {
                let range = NSRange(text.startIndex..., in: text)
                let icuMatch = icu.firstMatch(in: text, options: [.anchored], range: range)?.range == range
                let modelMatch = model.matches(text)
                #expect(modelMatch == icuMatch,
                        "pattern \(pattern) on \(text.prefix(40).debugDescription): ICU \(icuMatch), ours \(String(describing: modelMatch))")
            }
        }
    }

    /// Which patterns take the scalar-by-scalar path: one bracketed class, repeated, between optional anchors.
    @Test func singleClassShapes() {
        #expect(ModelPattern.singleClass("^[a-zA-Z0-9:/_-]+$")! == ("[a-zA-Z0-9:/_-]", false))
        #expect(ModelPattern.singleClass("[\\u0020-\\u00FF]*")! == ("[\\u0020-\\u00FF]", true))
        #expect(ModelPattern.singleClass("[a\\]]+")! == ("[a\\]]", false))
        #expect(ModelPattern.singleClass("^\\!?[a-z]*$") == nil)
        #expect(ModelPattern.singleClass("[a][b]+") == nil)
        #expect(ModelPattern.singleClass("[0-9]{12}") == nil)
        #expect(ModelPattern.singleClass("^(a)+$") == nil)
        #expect(ModelPattern.singleClass("[a]+\\$") == nil)
        #expect(Self.patterns.filter { ModelPattern.singleClass(ModelPattern.icuWordClass($0)) != nil }.count >= 10)
    }
}
