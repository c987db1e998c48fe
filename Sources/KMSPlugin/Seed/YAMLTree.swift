import CYAML
import EmuPluginKit

/// The one document of a YAML text as a `JSONValue` of objects, arrays and strings, read with libyaml's event
/// parser.
///
/// Scalars stay strings, with none of YAML's implicit typing: a backing key such as 000…01 must not become the
/// integer 1. An alias stands for a copy of what its anchor named. As Yams did, a second document, an alias with no
/// anchor and a key given twice in one mapping are errors. libyaml is called directly rather than through
/// Yams, which imports Foundation: Foundation and its ICU data would be megabytes of an idle host's memory that
/// nothing else loads.
enum YAMLTree {
    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// nil for a text with no document (empty, or comments only).
    /// - Throws: `ParseError` naming the line (or, for bytes that are not text, the offset) of the problem.
    static func parse(_ text: String) throws(ParseError) -> JSONValue? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw ParseError(description: "libyaml could not start") }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(ParseError) -> JSONValue? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var builder = Builder()
            var documentStarted = false
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
                    if parser.error == YAML_READER_ERROR {
                        throw ParseError(description: "\(problem) at byte \(parser.problem_offset)")
                    }
                    throw ParseError(description: "\(problem) at line \(parser.problem_mark.line + 1)")
                }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return builder.root
                case YAML_DOCUMENT_START_EVENT:
                    // Counted by its start, not by what it held: an empty first document must not let a second in.
                    guard !documentStarted else {
                        throw ParseError(description: "a second document at line \(event.start_mark.line + 1); "
                            + "the file must hold one")
                    }
                    documentStarted = true
                default:
                    try builder.take(event)
                }
            }
        }
    }

    /// Assembles nodes from events: open mappings and sequences on a stack, each mapping with the key it waits to
    /// fill.
    private struct Builder {
        private enum Open {
            case mapping([String: JSONValue], pendingKey: String?, anchor: String?)
            case sequence([JSONValue], anchor: String?)
        }

        private var stack: [Open] = []
        private var anchors: [String: JSONValue] = [:]
        private(set) var root: JSONValue?

        mutating func take(_ event: yaml_event_t) throws(ParseError) {
            switch event.type {
            case YAML_SCALAR_EVENT:
                let data = event.data.scalar
                let value = JSONValue.string(data.value.map { pointer in
                    String(decoding: UnsafeBufferPointer(start: pointer, count: data.length), as: UTF8.self)
                } ?? "")
                if let anchor = Self.name(data.anchor) { anchors[anchor] = value }
                try add(value, at: event)
            case YAML_ALIAS_EVENT:
                let name = Self.name(event.data.alias.anchor) ?? ""
                guard let target = anchors[name] else {
                    throw ParseError(description: "alias *\(name) at line \(event.start_mark.line + 1) has no anchor")
                }
                try add(target, at: event)
            case YAML_MAPPING_START_EVENT:
                stack.append(.mapping([:], pendingKey: nil, anchor: Self.name(event.data.mapping_start.anchor)))
            case YAML_SEQUENCE_START_EVENT:
                stack.append(.sequence([], anchor: Self.name(event.data.sequence_start.anchor)))
            case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
                guard let closed = stack.popLast() else { return }
                switch closed {
                case .mapping(let mapping, _, let anchor):
                    if let anchor { anchors[anchor] = .object(mapping) }
                    try add(.object(mapping), at: event)
                case .sequence(let sequence, let anchor):
                    if let anchor { anchors[anchor] = .array(sequence) }
                    try add(.array(sequence), at: event)
                }
            default:
                break
            }
        }

        /// An anchor's name, as libyaml hands it over (NUL-terminated UTF-8).
        private static func name(_ text: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            text.map { String(cString: $0) }
        }

        /// Puts a finished node where it belongs: the document's root, the next item of a sequence, or a mapping's
        /// key or value. A key that is not text (a mapping or a sequence) is the empty string.
        private mutating func add(_ node: JSONValue, at event: yaml_event_t) throws(ParseError) {
            guard let top = stack.popLast() else {
                if root == nil { root = node }
                return
            }
            switch top {
            case .sequence(var items, let anchor):
                items.append(node)
                stack.append(.sequence(items, anchor: anchor))
            case .mapping(var mapping, let pendingKey?, let anchor):
                mapping[pendingKey] = node
                stack.append(.mapping(mapping, pendingKey: nil, anchor: anchor))
            case .mapping(let mapping, nil, let anchor):
                let key = node.stringValue ?? ""
                guard mapping[key] == nil else {
                    throw ParseError(description: "key '\(key)' at line \(event.start_mark.line + 1) is given twice in "
                        + "one mapping")
                }
                stack.append(.mapping(mapping, pendingKey: key, anchor: anchor))
            }
        }
    }
}
