/// Escapes text for an XML element or attribute, for the Query and REST-XML protocols' responses.
public func xmlEscaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default: out.unicodeScalars.append(character)
        }
    }
    return out
}

/// `<name>escaped value</name>`.
public func xmlElement(_ name: String, _ value: String) -> String {
    "<\(name)>\(xmlEscaped(value))</\(name)>"
}
