import Foundation

/// The libraries of Tests/Fixtures/bad_plugin.c that the loader must refuse, compiled with `cc` once per run.
///
/// Everything but the duplicate-"sts" plugin goes in `folder`; that one goes in `lateFolder`, so that a test can
/// list it after the build folder (the first plugin found keeps a service, as EMU_PLUGIN_PATH is searched first).
struct BadPluginFixtures: Sendable {
    /// One fixture: the `-D` macro that selects it, the library it becomes, and the reason the host must give.
    struct Case: Sendable {
        var macro: String
        var fileName: String
        var reason: String
    }

    static let cases: [Case] = [
        Case(macro: "BAD_NO_ENTRY", fileName: "libno-entry.so", reason: "no emu_plugin_entry_v1 symbol"),
        Case(macro: "BAD_ENTRY_V2", fileName: "libentry-v2.so",
             reason: "built for plugin ABI major 2; this host speaks major 1"),
        Case(macro: "BAD_ABI_MAJOR", fileName: "libabi-major.so",
             reason: "descriptor says ABI major 2; this host speaks major 1"),
        Case(macro: "BAD_STRUCT_SIZE", fileName: "libstruct-size.so", reason: "is smaller than ABI v1's"),
        Case(macro: "BAD_NO_INIT", fileName: "libno-init.so", reason: "required hook on_init is missing"),
        Case(macro: "BAD_INIT_FAILS", fileName: "libinit-fails.so", reason: "on_init failed with status 5"),
        Case(macro: "BAD_NO_SERVICES", fileName: "libno-services.so", reason: "descriptor declares no services"),
        Case(macro: "BAD_DUP_STS", fileName: "libdup-sts.so", reason: "service sts is already served by plugin sts"),
    ]

    /// Not refused: a plugin built against ABI 1.2, whose descriptor is shorter than this host's.
    static let olderMinor = Case(macro: "OLD_MINOR", fileName: "libold-minor.so", reason: "")
    /// Not refused either: a plugin whose on_state_snapshot fails.
    static let snapshotFails = Case(macro: "SNAPSHOT_FAILS", fileName: "libsnapshot-fails.so", reason: "")

    /// A text file with a library's name: not an ELF image at all.
    static let junk = Case(macro: "", fileName: "junk.so", reason: "not a loadable library")

    /// Refused only when the host runs on_init, which `awsemu plugins` does not.
    static let initFails = "libinit-fails.so"
    static let duplicate = "libdup-sts.so"

    let folder: URL
    let lateFolder: URL

    /// Every refusal that a started host reports for `folder` and `lateFolder`.
    static var allRefusals: [Case] { cases + [junk] }

    static let shared: Result<BadPluginFixtures, any Error> = Result { try BadPluginFixtures() }

    private init() throws {
        folder = try TestPaths.makeTemporaryFolder()
        lateFolder = folder.appendingPathComponent("late")
        try FileManager.default.createDirectory(at: lateFolder, withIntermediateDirectories: true)
        for fixture in Self.cases + [Self.olderMinor, Self.snapshotFails] {
            let output = (fixture.fileName == Self.duplicate ? lateFolder : folder)
                .appendingPathComponent(fixture.fileName)
            let result = try ChildProcess.run(
                "/usr/bin/env",
                ["cc", "-shared", "-fPIC", "-I", TestPaths.abiHeaders.path, "-D\(fixture.macro)", "-o", output.path,
                 TestPaths.badPluginSource.path])
            guard result.status == 0 else {
                throw FixtureError("cc failed for \(fixture.macro): \(result.stderr)")
            }
        }
        try Data("this is not a shared library\n".utf8).write(to: folder.appendingPathComponent(Self.junk.fileName))
    }

    func path(of fixture: Case) -> String {
        (fixture.fileName == Self.duplicate ? lateFolder : folder).appendingPathComponent(fixture.fileName)
            .resolvingSymlinksInPath().path
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
