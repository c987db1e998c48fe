import EmuPluginKit
import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// One element of a parsed XML request body: its local name (namespace prefix dropped), its child elements and
/// its text.
///
/// S3's request bodies (CreateBucketConfiguration, Delete, CompleteMultipartUpload,
/// ServerSideEncryptionConfiguration) are small documents read by element name, so a tiny tree built with
/// Foundation's `XMLParser` is all that is needed; external entities are never resolved.
struct XMLTag: Sendable {
    var name: String
    var children: [XMLTag]
    var text: String

    func child(_ name: String) -> XMLTag? { children.first { $0.name == name } }

    func children(_ name: String) -> [XMLTag] { children.filter { $0.name == name } }

    /// The trimmed text of the child `name`, if there is one.
    func value(_ name: String) -> String? {
        child(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Parses a whole document.
    /// - Throws: MalformedXML for anything that is not well-formed XML.
    static func parse(_ bytes: [UInt8]) throws(AWSError) -> XMLTag {
        // S3 bodies are UTF-8; and Foundation's XMLParser traps (takes the whole process down) on an element or
        // attribute name that is not valid UTF-8 — found by the libFuzzer target.
        guard String(validating: bytes, as: UTF8.self) != nil else { throw S3Errors.malformedXML() }
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { throw S3Errors.malformedXML() }
        return root
    }
}

/// Builds the tree from the parser's events.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLTag] = []
    var root: XMLTag?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:])
    {
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        stack.append(XMLTag(name: local, children: [], text: ""))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?)
    {
        guard let finished = stack.popLast() else { return }
        if stack.isEmpty {
            root = finished
        } else {
            stack[stack.count - 1].children.append(finished)
        }
    }
}
