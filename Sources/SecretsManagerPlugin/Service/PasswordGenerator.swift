import EmuCrypto
import EmuPluginKit

/// GetRandomPassword: a password drawn uniformly from OpenSSL's DRBG over the character types the request keeps.
///
/// AWS's types are lower case, upper case, digits and the 32 ASCII punctuation characters; a space is added
/// only on request. With RequireEachIncludedType (the default) the password has at least one character of each
/// kept letter/digit/punctuation type, placed at random positions.
struct PasswordGenerator: Sendable {
    static let lowercase = Array("abcdefghijklmnopqrstuvwxyz")
    static let uppercase = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    static let digits = Array("0123456789")
    static let punctuation = Array("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

    var length = 32
    var excludeCharacters = ""
    var excludeLowercase = false
    var excludeUppercase = false
    var excludeNumbers = false
    var excludePunctuation = false
    var includeSpace = false
    var requireEachIncludedType = true

    init(_ input: JSONValue) {
        if let value = input["PasswordLength"]?.intValue { length = Int(value) }
        excludeCharacters = input["ExcludeCharacters"]?.stringValue ?? ""
        excludeLowercase = input["ExcludeLowercase"]?.boolValue ?? false
        excludeUppercase = input["ExcludeUppercase"]?.boolValue ?? false
        excludeNumbers = input["ExcludeNumbers"]?.boolValue ?? false
        excludePunctuation = input["ExcludePunctuation"]?.boolValue ?? false
        includeSpace = input["IncludeSpace"]?.boolValue ?? false
        requireEachIncludedType = input["RequireEachIncludedType"]?.boolValue ?? true
    }

    /// The character types that remain after the exclusions; a type whose every character is excluded is gone.
    var requiredTypes: [[Character]] {
        let excluded = Set(excludeCharacters)
        let types: [(Bool, [Character])] = [
            (excludeLowercase, Self.lowercase), (excludeUppercase, Self.uppercase), (excludeNumbers, Self.digits),
            (excludePunctuation, Self.punctuation),
        ]
        return types.compactMap { isExcluded, characters in
            guard !isExcluded else { return nil }
            let kept = characters.filter { !excluded.contains($0) }
            return kept.isEmpty ? nil : kept
        }
    }

    /// - Throws: InvalidParameterException when nothing is left to draw from, or when the length cannot hold one
    ///   character of each required type.
    func generate() throws(AWSError) -> String {
        let types = requiredTypes
        var alphabet = types.flatMap { $0 }
        if includeSpace, !excludeCharacters.contains(" ") { alphabet.append(" ") }
        guard !alphabet.isEmpty else {
            throw AWSError("InvalidParameterException",
                           "The password can't be generated because every character type is excluded.")
        }
        if requireEachIncludedType, length < types.count {
            throw AWSError("InvalidParameterException", "Password length is too short based on the required types.")
        }
        var password: [Character] = []
        password.reserveCapacity(length)
        if requireEachIncludedType {
            for type in types { password.append(Self.pick(type)) }
        }
        while password.count < length { password.append(Self.pick(alphabet)) }
        // Fisher–Yates, so the required characters are not always first.
        if password.count > 1 {
            for index in stride(from: password.count - 1, to: 0, by: -1) {
                password.swapAt(index, Self.randomIndex(below: index + 1))
            }
        }
        return String(password)
    }

    private static func pick(_ characters: [Character]) -> Character {
        characters[randomIndex(below: characters.count)]
    }

    /// A uniform index below `bound` (up to 4096 positions), by rejection sampling on two random bytes.
    private static func randomIndex(below bound: Int) -> Int {
        if bound <= 256 { return RandomIndex.index(below: bound) }
        let limit = 65536 - (65536 % bound)
        while true {
            let bytes = SecureRandom.bytes(2)
            let value = Int(bytes[0]) << 8 | Int(bytes[1])
            if value < limit { return value % bound }
        }
    }
}

extension SecretsService {
    func getRandomPassword(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        ["RandomPassword": .string(try PasswordGenerator(input).generate())]
    }
}
