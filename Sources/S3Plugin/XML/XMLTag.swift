import CLibXML2
import EmuPluginKit

/// One element of a parsed XML request body: its local name (namespace prefix dropped), its child elements and
/// its text.
///
/// S3's request bodies (CreateBucketConfiguration, Delete, CompleteMultipartUpload,
/// ServerSideEncryptionConfiguration) are small documents read by element name, so a tiny tree copied from
/// libxml2's is all that is needed. libxml2 is used directly rather than through FoundationXML, which would load
/// Foundation and its ICU data into the host (megabytes of idle memory); nothing from the network or the file
/// system is read (no DTD loading, `XML_PARSE_NONET`) and entities are not substituted.
struct XMLTag: Sendable {
    var name: String
    var children: [XMLTag]
    var text: String

    func child(_ name: String) -> XMLTag? { children.first { $0.name == name } }

    func children(_ name: String) -> [XMLTag] { children.filter { $0.name == name } }

    /// The text of the child `name` when there is exactly one and it holds text only, as S3's schemas have their
    /// simple elements (a Tag's Key and Value, a rule's Status); nil otherwise.
    func simpleText(_ name: String) -> String? {
        let found = children(name)
        guard found.count == 1, found[0].children.isEmpty else { return nil }
        return found[0].text
    }

    /// The trimmed text of the child `name`, if there is one.
    func value(_ name: String) -> String? {
        child(name).map { $0.text.trimmingWhitespace() }
    }

    /// Parses a whole document.
    /// - Throws: MalformedXML for anything that is not well-formed XML.
    static func parse(_ bytes: [UInt8]) throws(AWSError) -> XMLTag {
        guard !bytes.isEmpty, bytes.count <= Int(Int32.max) else { throw S3Errors.malformedXML() }
        _ = libxml2Initialized
        // S3 bodies are UTF-8: the encoding is fixed (a declaration naming another is not obeyed), so libxml2 itself
        // refuses bytes that are not UTF-8.
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_IGNORE_ENC.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { xmlReadMemory($0.baseAddress, Int32($0.count), nil, "UTF-8", options) }
        }
        guard let document else { throw S3Errors.malformedXML() }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { throw S3Errors.malformedXML() }
        return XMLTag(element: root)
    }

    /// Copies an element of libxml2's tree: child elements in order; text and CDATA joined (entity references add
    /// nothing, as they are not substituted).
    private init(element: xmlNodePtr) {
        let qualified = String(cString: element.pointee.name)
        name = qualified.split(separator: ":").last.map(String.init) ?? qualified
        children = []
        text = ""
        var child = element.pointee.children
        while let node = child {
            switch node.pointee.type {
            case XML_ELEMENT_NODE: children.append(XMLTag(element: node))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = node.pointee.content { text += String(cString: content) }
            default: break
            }
            child = node.pointee.next
        }
    }
}

/// libxml2 sets up its global tables once, before any thread parses (its documented rule for threaded programs).
private let libxml2Initialized: Void = xmlInitParser()
