import EmuPluginKit

/// Builds an S3 response document: the XML declaration, the root element in S3's namespace, then elements in
/// the order the caller adds them (botocore reads by name, but S3's order is kept for readers of raw bodies).
struct XMLWriter {
    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    private var text: String
    private let root: String

    init(root: String) {
        self.root = root
        text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<\(root) xmlns=\"\(Self.namespace)\">"
    }

    /// `<name>escaped value</name>`.
    mutating func element(_ name: String, _ value: String) {
        text += xmlElement(name, value)
    }

    /// The element only when there is a value.
    mutating func element(_ name: String, _ value: String?) {
        if let value { text += xmlElement(name, value) }
    }

    mutating func element(_ name: String, _ value: Bool) {
        text += "<\(name)>\(value ? "true" : "false")</\(name)>"
    }

    mutating func element<N: BinaryInteger>(_ name: String, _ value: N) {
        text += "<\(name)>\(value)</\(name)>"
    }

    /// `<name>…</name>` around what `body` adds; `attributes`, already escaped, go into the start tag.
    mutating func group(_ name: String, attributes: String? = nil, _ body: (inout XMLWriter) -> Void) {
        text += attributes.map { "<\(name) \($0)>" } ?? "<\(name)>"
        body(&self)
        text += "</\(name)>"
    }

    /// The finished document as an S3 response body.
    func output(status: UInt32 = 200, headers: [(String, String)] = []) -> OperationOutput {
        OperationOutput(body: Array((text + "</\(root)>").utf8), status: status,
                        headers: [("Content-Type", "application/xml")] + headers)
    }
}
