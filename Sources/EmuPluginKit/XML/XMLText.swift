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

/// An AWS REST-XML error document (S3's): Code, Message, the error's further members, then RequestId. Shared by
/// the host, which renders the errors plugins report, and the S3 plugin, which writes errors that carry headers
/// itself.
public func restXMLErrorDocument(code: String, message: String, fields: [AWSErrorField], requestId: String)
    -> String
{
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\(xmlElement("Code", code))"
        + "\(xmlTextElement("Message", message))\(xmlErrorMembers(fields))\(xmlElement("RequestId", requestId))</Error>"
}

/// An error's fields as elements after <Message>; the capitalized-message instruction is not a member, and XML has
/// <Message> anyway.
public func xmlErrorMembers(_ fields: [AWSErrorField]) -> String {
    fields.filter { $0.name != AWSErrorField.capitalizedMessage }.map { xmlTextElement($0.name, $0.value) }.joined()
}

/// `<name>value</name>` for text a caller sent (a key, a header's value, a name quoted in an error message), which
/// may hold characters XML 1.0 cannot carry even escaped (U+0001…): those become U+FFFD, so that every SDK can still
/// parse the document.
public func xmlTextElement(_ name: String, _ text: String) -> String {
    var value = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        let allowed = scalar == "\t" || scalar == "\n" || scalar == "\r" || (0x20...0xD7FF).contains(scalar.value)
            || (0xE000...0xFFFD).contains(scalar.value) || scalar.value >= 0x10000
        value.append(allowed ? scalar : "\u{FFFD}")
    }
    return xmlElement(name, String(value))
}
