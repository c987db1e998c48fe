import EmuPluginKit

/// LocalStack's fixture tags, which test suites already use to pin a key's id and material at CreateKey:
/// `_custom_id_` sets the KeyId; `_custom_key_material_` (base64) sets the material and is never stored.
enum CustomKeyTags {
    static let idTag = "_custom_id_"
    static let materialTag = "_custom_key_material_"

    /// The input without the material tag: its value is longer than a tag value may be, and it must never be
    /// validated, stored or echoed as a tag.
    static func withoutMaterialTag(_ input: JSONValue) -> JSONValue {
        guard case .object(var members) = input, let tags = members["Tags"]?.arrayValue else { return input }
        members["Tags"] = .array(tags.filter { $0["TagKey"]?.stringValue != materialTag })
        if let material = tags.first(where: { $0["TagKey"]?.stringValue == materialTag })?["TagValue"] {
            members["__customKeyMaterial"] = material
        }
        return .object(members)
    }
}
